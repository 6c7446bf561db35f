package io.keyscan.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code redis-server} executable this JVM can start, found in this order:
 * <ol>
 *   <li>the path in {@code KEYSCAN_REDIS_SERVER}, if set;</li>
 *   <li>{@code redis-server} on the {@code PATH} (e.g. Debian's {@code apt-get install redis-server});</li>
 *   <li>the binary shipped as a resource of the {@code com.github.codemonstur:embedded-redis} artifact
 *       (Redis 6.2 for Linux and macOS on x86-64 and ARM), extracted to a temporary directory. This is what
 *       makes the tests pass on a machine with nothing but a JDK.</li>
 * </ol>
 *
 * @param path the executable
 * @param version its version, e.g. {@code 7.0.15}
 * @param source how it was found, for logs
 */
public record RedisBinary(Path path, String version, String source) {

    /** The environment variable naming a {@code redis-server} binary to use before any other. */
    public static final String ENV_BINARY = "KEYSCAN_REDIS_SERVER";

    private static final Pattern VERSION = Pattern.compile("v=(\\d+\\.\\d+\\.\\d+)");
    private static volatile RedisBinary found;

    /** The first binary available, looked up once per JVM. */
    public static RedisBinary find() {
        RedisBinary binary = found;
        if (binary == null) {
            synchronized (RedisBinary.class) {
                binary = found;
                if (binary == null) {
                    binary = lookUp();
                    found = binary;
                }
            }
        }
        return binary;
    }

    /** The major version, e.g. 7. */
    public int majorVersion() {
        return Integer.parseInt(version.split("\\.")[0]);
    }

    private static RedisBinary lookUp() {
        String configured = System.getenv(ENV_BINARY);
        if (configured != null && !configured.isBlank()) {
            Path path = Paths.get(configured.trim());
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException(ENV_BINARY + "='" + configured + "' is not an executable file");
            }
            return of(path, ENV_BINARY);
        }
        String pathVariable = System.getenv("PATH");
        if (pathVariable != null) {
            for (String dir : pathVariable.split(File.pathSeparator)) {
                Path candidate = Paths.get(dir, "redis-server");
                if (Files.isExecutable(candidate)) {
                    return of(candidate, "redis-server on the PATH");
                }
            }
        }
        return of(extractEmbedded(), "redis-server from the embedded-redis Maven artifact");
    }

    private static RedisBinary of(Path path, String source) {
        return new RedisBinary(path, versionOf(path), source);
    }

    static String versionOf(Path binary) {
        try {
            Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            String output;
            try (InputStream in = process.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            Matcher m = VERSION.matcher(output);
            if (!m.find()) {
                throw new IllegalStateException(binary + " --version printed no version: " + output.trim());
            }
            return m.group(1);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary + " --version", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + binary + " --version", e);
        }
    }

    private static Path extractEmbedded() {
        String resource = embeddedResourceName();
        Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "keyscan-redis-binaries");
        Path target = dir.resolve(resource);
        try (InputStream in = RedisBinary.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no redis-server found: set " + ENV_BINARY + ", install redis-server "
                        + "(e.g. apt-get install -y redis-server), or keep com.github.codemonstur:embedded-redis "
                        + "on the classpath (resource " + resource + " is missing)");
            }
            byte[] bytes = in.readAllBytes();
            if (Files.isExecutable(target) && Files.size(target) == bytes.length) {
                return target;
            }
            Files.createDirectories(dir);
            // Write beside and move into place, so concurrent JVMs never run a half-written file.
            Path partial = Files.createTempFile(dir, resource, ".part");
            Files.write(partial, bytes);
            if (!partial.toFile().setExecutable(true)) {
                throw new IOException("cannot make " + partial + " executable");
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new IllegalStateException("cannot extract " + resource + " to " + dir, e);
        }
    }

    private static String embeddedResourceName() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        boolean arm = arch.contains("aarch64") || arch.contains("arm64");
        if (os.contains("linux")) {
            return arm ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64";
        }
        if (os.contains("mac")) {
            return arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
        }
        throw new IllegalStateException("no embedded redis-server for " + os + "/" + arch + "; set " + ENV_BINARY
                + " or put redis-server on the PATH");
    }
}
