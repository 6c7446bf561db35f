package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.testkit.LocalRedisServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution that {@code ./mvnw package} builds, used as a user would: unpacked with {@code tar}, run through
 * {@code bin/keyscan-export} (also through a symbolic link), with JAVA_OPTS and the password in the environment.
 */
class DistributionIT {

    private static final String PASSWORD = "dist-" + Long.toHexString(System.nanoTime());

    static LocalRedisServer server;
    static Path home;

    @TempDir
    static Path unpacked;

    @TempDir
    Path dir;

    /** What one run of the launcher did. */
    record Launched(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void unpackAndStart() throws Exception {
        String archive = System.getProperty("keyscan.export.distribution");
        assertThat(archive).as("failsafe passes the path of the .tar.gz (examples/exporter/pom.xml)").isNotBlank();
        assertThat(Path.of(archive)).exists();
        Process tar = new ProcessBuilder("tar", "-xzf", archive, "-C", unpacked.toString()).inheritIO().start();
        assertThat(tar.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(tar.exitValue()).isZero();
        try (var entries = Files.list(unpacked)) {
            home = entries.findFirst().orElseThrow();
        }
        server = LocalRedisServer.builder().password(PASSWORD).name("distribution-server").start();
        server.admin().set("dist:1", "one");
        server.admin().set("dist:2", "two");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Launched launch(Path launcher, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        Collections.addAll(command, args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove(Password.KEYSCAN_PASSWORD);
        builder.environment().remove(Password.REDISCLI_AUTH);
        builder.environment().remove("JAVA_OPTS");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(env);
        Path out = Files.createTempFile("launcher-out-", ".txt");
        Path err = Files.createTempFile("launcher-err-", ".txt");
        try {
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(3, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("the launcher did not exit in 3 minutes: " + Files.readString(err));
            }
            return new Launched(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void theLayout() throws IOException {
        assertThat(home.getFileName().toString()).isEqualTo("keyscan-export-" + Arguments.Version.version());
        Path launcher = home.resolve("bin/keyscan-export");
        assertThat(Files.getPosixFilePermissions(launcher)).contains(PosixFilePermission.OWNER_EXECUTE,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
        assertThat(Files.readString(launcher)).startsWith("#!/bin/sh\n").doesNotContain("\r");
        assertThat(home.resolve("lib/keyscan-export.jar")).isRegularFile();
        assertThat(home.resolve("README.md")).content().contains("keyscan-export");
        assertThat(home.resolve("LICENSE")).isRegularFile();
        assertThat(home.resolve("NOTICE")).isRegularFile();
        Path zip = Path.of(System.getProperty("keyscan.export.distribution").replaceFirst("\\.tar\\.gz$", ".zip"));
        try (ZipFile entries = new ZipFile(zip.toFile())) {
            String base = home.getFileName() + "/";
            for (String name : List.of("bin/keyscan-export", "lib/keyscan-export.jar", "README.md", "LICENSE")) {
                assertThat(entries.getEntry(base + name)).as(name + " in " + zip).isNotNull();
            }
        }
    }

    @Test
    void versionAndHelp() throws Exception {
        Launched version = launch(home.resolve("bin/keyscan-export"), Map.of(), "--version");
        assertThat(version.exitCode()).as(version.err()).isZero();
        assertThat(version.out()).startsWith("keyscan-export " + Arguments.Version.version() + "\n");
        Launched help = launch(home.resolve("bin/keyscan-export"), Map.of(), "export", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--redis-url", "--cacert", "Exit codes:");
        Launched usage = launch(home.resolve("bin/keyscan-export"), Map.of(), "export", "--redis-url",
                "redis://127.0.0.1:1", "--output", "-", "--no-such-option");
        assertThat(usage.exitCode()).isEqualTo(KeyExportTool.USAGE);
        assertThat(usage.err()).contains("Unknown option: '--no-such-option'");
    }

    @Test
    void exportAndImportThroughASymbolicLinkWithJavaOptsAndThePasswordInTheEnvironment() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("keyscan-export"), home.resolve("bin/keyscan-export"));
        Path file = dir.resolve("dist.ndjson");
        Map<String, String> env = Map.of(Password.KEYSCAN_PASSWORD, PASSWORD, "JAVA_OPTS",
                "-Xmx64m -XX:+ExitOnOutOfMemoryError");
        Launched export = launch(link, env, "export", "--redis-url", "redis://127.0.0.1:" + server.port(),
                "--values", "--output", file.toString(), "--progress", "none");
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(export.err()).contains("Exported 2 keys").doesNotContain(PASSWORD);
        assertThat(ToolRun.lines(file)).hasSize(2);

        server.flushAll();
        Launched imported = launch(link, env, "import", "--redis-url", "redis://127.0.0.1:" + server.port(),
                "--input", file.toString(), "--progress", "none");
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(server.admin().get("dist:2")).isEqualTo("two");
    }

    @Test
    void aFailureIsExitCodeOne() throws Exception {
        Launched refused = launch(home.resolve("bin/keyscan-export"), Map.of(), "export", "--redis-url",
                "redis://127.0.0.1:" + server.port(), "--output", "-", "--progress", "none");
        assertThat(refused.exitCode()).as(refused.err()).isEqualTo(KeyExportTool.FAILED);
        assertThat(refused.err()).contains("NOAUTH");
    }
}
