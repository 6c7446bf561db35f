package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.testkit.Jvm;
import io.keyscan.testkit.LocalRedisServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server with a password: the password from KEYSCAN_PASSWORD, REDISCLI_AUTH and --askpass (standard input, and a
 * real terminal without echo), an ACL user with --user, the URL's own password still honoured with a warning; and
 * the password never printed. No password is ever on a command line here: the tool's environment or standard input
 * carries it.
 */
class PasswordIT {

    private static final String PASSWORD = "pw-" + Long.toHexString(System.nanoTime());
    private static final String USER_PASSWORD = "acl-" + Long.toHexString(System.nanoTime());

    static LocalRedisServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = LocalRedisServer.builder().password(PASSWORD).name("password-server").start();
        server.admin().set("secret:1", "one");
        server.admin().set("secret:2", "two");
        server.admin().aclSetuser("exporter", io.lettuce.core.AclSetuserArgs.Builder.on()
                .addPassword(USER_PASSWORD).allKeys().allCommands());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String url() {
        return "redis://127.0.0.1:" + server.port();
    }

    private ToolRun export(Map<String, String> env, InputStream stdin, String... options) {
        List<String> args = new ArrayList<>(List.of("export", "--pattern", "secret:*", "--values", "--output",
                dir.resolve("out-" + System.nanoTime() + ".ndjson").toString(), "--progress", "none"));
        args.addAll(List.of(options));
        ToolRun run = ToolRun.of(env, stdin, args.toArray(String[]::new));
        assertThat(run.err()).doesNotContain(PASSWORD).doesNotContain(USER_PASSWORD);
        assertThat(run.out()).doesNotContain(PASSWORD);
        return run;
    }

    private static InputStream nothing() {
        return new ByteArrayInputStream(new byte[0]);
    }

    @Test
    void fromTheEnvironment() {
        ToolRun keyscan = export(Map.of(Password.KEYSCAN_PASSWORD, PASSWORD), nothing(), "--redis-url", url());
        assertThat(keyscan.exitCode()).as(keyscan.err()).isZero();
        assertThat(keyscan.err()).contains("Exported 2 keys");
        ToolRun redisCli = export(Map.of(Password.REDISCLI_AUTH, PASSWORD), nothing(), "--redis-url", url());
        assertThat(redisCli.exitCode()).as(redisCli.err()).isZero();
        ToolRun first = export(Map.of(Password.KEYSCAN_PASSWORD, PASSWORD, Password.REDISCLI_AUTH, "wrong"), nothing(),
                "--redis-url", url());
        assertThat(first.exitCode()).as("KEYSCAN_PASSWORD comes first: %s", first.err()).isZero();
    }

    @Test
    void noPasswordOrAWrongOneFails() {
        ToolRun none = export(Map.of(), nothing(), "--redis-url", url());
        assertThat(none.exitCode()).as(none.err()).isEqualTo(KeyExportTool.FAILED);
        assertThat(none.err()).contains("NOAUTH");
        ToolRun wrong = export(Map.of(Password.KEYSCAN_PASSWORD, "wrong"), nothing(), "--redis-url", url());
        assertThat(wrong.exitCode()).as(wrong.err()).isEqualTo(KeyExportTool.FAILED);
    }

    @Test
    void askpassReadsALineOfStandardInput() {
        ToolRun run = export(Map.of(), new ByteArrayInputStream((PASSWORD + "\n").getBytes(StandardCharsets.UTF_8)),
                "--redis-url", url(), "--askpass");
        assertThat(run.exitCode()).as(run.err()).isZero();
    }

    @Test
    void askpassThenTheFileOnStandardInput() throws Exception {
        Path file = dir.resolve("for-stdin.ndjson");
        ToolRun export = ToolRun.of(Map.of(Password.KEYSCAN_PASSWORD, PASSWORD), nothing(), "export", "--redis-url",
                url(), "--pattern", "secret:*", "--values", "--output", file.toString(), "--progress", "none");
        assertThat(export.exitCode()).as(export.err()).isZero();
        // the first line is the password, the rest the file: --askpass reads exactly one line
        byte[] stdin = concat((PASSWORD + "\n").getBytes(StandardCharsets.UTF_8), Files.readAllBytes(file));
        ToolRun imported = ToolRun.of(Map.of(), new ByteArrayInputStream(stdin), "import", "--redis-url", url(),
                "--askpass", "--input", "-", "--replace", "--progress", "none");
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(imported.err()).contains("Imported 2 keys from standard input").doesNotContain(PASSWORD);
    }

    @Test
    void anAclUser() {
        ToolRun run = export(Map.of(Password.KEYSCAN_PASSWORD, USER_PASSWORD), nothing(), "--redis-url", url(),
                "--user", "exporter");
        assertThat(run.exitCode()).as(run.err()).isZero();
        ToolRun wrongUser = export(Map.of(Password.KEYSCAN_PASSWORD, USER_PASSWORD), nothing(), "--redis-url", url());
        assertThat(wrongUser.exitCode()).as("the default user has another password").isEqualTo(KeyExportTool.FAILED);
    }

    @Test
    void aPasswordInTheUrlWorksWithAWarningAndIsMasked() {
        // built here, never typed on a command line: the test checks what the tool prints about such a URL
        String withPassword = "redis://:" + PASSWORD + "@127.0.0.1:" + server.port();
        ToolRun run = export(Map.of(), nothing(), "--redis-url", withPassword);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("warning: the password in --redis-url redis://:***@127.0.0.1:" + server.port()
                + " is visible to other users in the process list");
    }

    @Test
    void aChildProcessWithThePasswordInItsEnvironment() throws Exception {
        Path file = dir.resolve("forked.ndjson");
        try (ForkedTool tool = ForkedTool.start(List.of(), Map.of(Password.KEYSCAN_PASSWORD, PASSWORD),
                dir.resolve("forked-stderr.txt"), "export", "--redis-url", url(), "--pattern", "secret:*",
                "--values", "--output", file.toString(), "--progress", "none")) {
            int code = tool.waitFor(Duration.ofMinutes(2));
            assertThat(code).as(tool.stderr()).isZero();
            assertThat(tool.stderr()).contains("Exported 2 keys").doesNotContain(PASSWORD);
        }
        try (ForkedTool tool = ForkedTool.start(List.of(), Map.of(), dir.resolve("askpass-stderr.txt"), "export",
                "--redis-url", url(), "--askpass", "--output", "-", "--progress", "none")) {
            try (OutputStream stdin = tool.stdin()) {
                stdin.write((PASSWORD + "\n").getBytes(StandardCharsets.UTF_8));
            }
            int code = tool.waitFor(Duration.ofMinutes(2));
            assertThat(code).as(tool.stderr()).isZero();
        }
    }

    /**
     * {@code --askpass} on a real terminal: {@code script} runs the tool on a pseudo-terminal, so Java has a console;
     * the password is typed after the prompt appears, and the terminal's output must not show it (no echo).
     */
    @Test
    void askpassOnATerminalDoesNotEcho() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "util-linux script is not installed");
        List<String> tool = Jvm.command(KeyExportTool.class, List.of(), List.of("export", "--redis-url", url(),
                "--askpass", "--pattern", "secret:*", "--output", dir.resolve("tty.ndjson").toString(), "--progress",
                "none"));
        StringBuilder shell = new StringBuilder();
        for (String word : tool) {
            shell.append('\'').append(word.replace("'", "'\\''")).append("' ");
        }
        Process script = new ProcessBuilder("/usr/bin/script", "-q", "-e", "-c", shell.toString(), "/dev/null")
                .redirectErrorStream(true).start();
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        try {
            InputStream terminal = script.getInputStream();
            // wait for the prompt on what the terminal shows; a watchdog ends the process if it never comes
            Thread watchdog = new Thread(() -> {
                try {
                    if (!script.waitFor(3, TimeUnit.MINUTES)) {
                        script.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "askpass-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            while (!screen.toString(StandardCharsets.UTF_8).contains("Password for ")) {
                int b = terminal.read();
                assertThat(b).as("the prompt; the terminal showed: %s", screen).isNotEqualTo(-1);
                screen.write(b);
            }
            OutputStream keyboard = script.getOutputStream();
            keyboard.write((PASSWORD + "\r").getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
            terminal.transferTo(screen);
            assertThat(script.waitFor(3, TimeUnit.MINUTES)).isTrue();
            String shown = screen.toString(StandardCharsets.UTF_8);
            assertThat(script.exitValue()).as(shown).isZero();
            assertThat(shown).contains("Exported 2 keys").doesNotContain(PASSWORD);
        } finally {
            script.destroyForcibly();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
