package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the tool prints and which exit code it returns, before it connects anywhere. */
class KeyExportToolTest {

    @Test
    void helpGoesToStandardOutputWithExitCodeZero() {
        for (String[] args : new String[][] {{"--help"}, {"-h"}, {"help"}}) {
            ToolRun help = ToolRun.of(args);
            assertThat(help.exitCode()).isZero();
            assertThat(help.err()).isEmpty();
            assertThat(help.out()).startsWith("Usage: keyscan-export [-hV] [COMMAND]")
                    .contains("export", "import", "Exit codes:", "130", "KEYSCAN_PASSWORD", "REDISCLI_AUTH");
        }
        ToolRun export = ToolRun.of("export", "--help");
        assertThat(export.exitCode()).isZero();
        for (String option : new String[] {"--redis-url", "--cluster-url", "--user", "--askpass", "--tls", "--cacert",
            "--cert", "--key", "--insecure", "--output", "--pattern", "--type", "--values", "--dump", "--force",
            "--distinct", "--batch", "--concurrency", "--timeout", "--progress", "--version"}) {
            assertThat(export.out()).contains(option);
        }
        ToolRun imported = ToolRun.of("help", "import");
        assertThat(imported.exitCode()).isZero();
        assertThat(imported.out()).contains("--input", "--replace", "--max-line-size", "--askpass");
    }

    @Test
    void versionIsTheProjectsVersion() {
        ToolRun version = ToolRun.of("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(Arguments.Version.version()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(version.out()).startsWith("keyscan-export " + Arguments.Version.version() + "\n");
        assertThat(ToolRun.of("import", "-V").out()).isEqualTo(version.out());
    }

    @Test
    void usageErrorsGoToStandardErrorWithExitCodeTwo() {
        ToolRun none = ToolRun.of();
        assertThat(none.exitCode()).isEqualTo(KeyExportTool.USAGE);
        assertThat(none.err()).startsWith("Usage: keyscan-export");
        assertThat(none.out()).isEmpty();

        ToolRun unknown = ToolRun.of("copy");
        assertThat(unknown.exitCode()).isEqualTo(KeyExportTool.USAGE);
        assertThat(unknown.err()).startsWith("error: unknown command 'copy': expected export, import or help\n")
                .contains("Try 'keyscan-export --help'");

        ToolRun badValue = ToolRun.of("export", "--redis-url", "redis://127.0.0.1:1", "--output", "f", "--batch=5000");
        assertThat(badValue.exitCode()).isEqualTo(KeyExportTool.USAGE);
        assertThat(badValue.err()).startsWith("error: Invalid value for option '--batch': expected a whole number "
                + "from 1 to 1000, was 5000\n").contains("Try 'keyscan-export export --help'");
        assertThat(badValue.out()).isEmpty();

        ToolRun typo = ToolRun.of("import", "--redis-url", "redis://127.0.0.1:1", "--input", "f", "--replase");
        assertThat(typo.exitCode()).isEqualTo(KeyExportTool.USAGE);
        assertThat(typo.err()).contains("Unknown option: '--replase'").contains("--replace");
    }

    @Test
    void aPasswordGivenByMistakeAsAnArgumentIsMaskedInTheError() {
        ToolRun run = ToolRun.of("export", "--redis-url", "redis://127.0.0.1:1", "--output", "f",
                "rediss://admin:hunter2@db:6380");
        assertThat(run.exitCode()).isEqualTo(KeyExportTool.USAGE);
        assertThat(run.err()).contains("rediss://admin:***@db:6380").doesNotContain("hunter2");
    }

    @Test
    void askpassWithNothingOnStandardInputIsAUsageError() {
        ToolRun run = ToolRun.of(Map.of(), new ByteArrayInputStream(new byte[0]), "export", "--redis-url",
                "redis://127.0.0.1:1", "--output", "f", "--askpass");
        assertThat(run.exitCode()).isEqualTo(KeyExportTool.USAGE);
        assertThat(run.err()).contains("--askpass: no password on standard input");
    }

    @Test
    void anUnreachableServerFailsWithExitCodeOne() {
        // port 1: nothing listens there, so the connection is refused at once
        ToolRun run = ToolRun.of("export", "--redis-url", "redis://127.0.0.1:1", "--output", "-", "--timeout", "20s");
        assertThat(run.exitCode()).isEqualTo(KeyExportTool.FAILED);
        assertThat(run.err()).startsWith("error: ").contains("127.0.0.1");
    }

    @Test
    void askpassReadsOneLineAndLeavesTheRestOfStandardInput() throws Exception {
        ByteArrayInputStream in = new ByteArrayInputStream("s3cret\r\n{\"next\":1}\n".getBytes(StandardCharsets.UTF_8));
        assertThat(Password.readLine(in)).containsExactly('s', '3', 'c', 'r', 'e', 't');
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"next\":1}\n");
        assertThatThrownBy(() -> Password.readLine(new ByteArrayInputStream("\n".getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("no password on standard input");
        assertThatThrownBy(() -> Password.readLine(new ByteArrayInputStream(new byte[] {(byte) 0xff, '\n'})))
                .hasMessageContaining("not UTF-8");
    }

    @Test
    void theEnvironmentGivesThePasswordInOrderAndTheUrlsOwnIsWarnedAbout() throws Exception {
        Connection plain = Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f").connection;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        KeyExportTool.Io io = io(Map.of(Password.REDISCLI_AUTH, "cli", Password.KEYSCAN_PASSWORD, "ks"), said);
        assertThat(Password.resolve(plain, false, io)).containsExactly('k', 's');
        assertThat(Password.resolve(plain, false, io(Map.of(Password.REDISCLI_AUTH, "cli"), said)))
                .containsExactly('c', 'l', 'i');
        assertThat(Password.resolve(plain, false, io(Map.of(Password.KEYSCAN_PASSWORD, ""), said))).isNull();
        assertThat(said.size()).isZero();
        assertThat(Password.resolve(plain, true, io)).containsExactly('k', 's');
        assertThat(said.toString(StandardCharsets.UTF_8)).contains("--askpass not needed")
                .contains(Password.KEYSCAN_PASSWORD);

        Connection inUrl = Arguments.parse("export", "--redis-url", "redis://:hunter2@h:1", "--output", "f")
                .connection;
        said.reset();
        Password.resolve(inUrl, false, io(Map.of(), said));
        assertThat(said.toString(StandardCharsets.UTF_8)).contains("warning: the password in --redis-url "
                + "redis://:***@h:1 is visible to other users in the process list").doesNotContain("hunter2");
    }

    private static KeyExportTool.Io io(Map<String, String> env, ByteArrayOutputStream err) {
        return new KeyExportTool.Io(env, new ByteArrayInputStream(new byte[0]), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8), null);
    }
}
