package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.testkit.LocalRedisServer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Import of generated bad input into a real server: a malformed, truncated, binary, non-UTF-8 or huge line stops the
 * import with exit code 1, naming the line and why, and the report counts exactly the lines and keys written, which
 * the server then holds. No crash, no hang; the 100 MB line is read by a JVM with a 48 MB heap.
 */
class BadInputIT {

    private static final Pattern WRITTEN = Pattern.compile("Import failed after writing ([\\d,]+) lines? \\(([\\d,]+) "
            + "keys?, each whole\\)");

    static LocalRedisServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = LocalRedisServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void empty() {
        server.flushAll();
    }

    private static byte[] good(int from, int to) {
        StringBuilder lines = new StringBuilder();
        for (int i = from; i < to; i++) {
            lines.append("{\"key\":\"bad-input:").append(i).append("\",\"type\":\"string\",\"ttl\":-1,\"value\":\"v")
                    .append(i).append("\"}\n");
        }
        return lines.toString().getBytes(StandardCharsets.UTF_8);
    }

    private Path file(byte[]... parts) throws IOException {
        Path file = Files.createTempFile(dir, "input-", ".ndjson");
        try (OutputStream out = Files.newOutputStream(file)) {
            for (byte[] part : parts) {
                out.write(part);
            }
        }
        return file;
    }

    /** Imports {@code file}, expects exit code 1 and the line named; returns what the tool said. */
    private String refused(Path file, int line, String reason, long writtenBefore) {
        ToolRun run = ToolRun.of("import", "--redis-url", server.uri(), "--input", file.toString(), "--progress",
                "none");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(KeyExportTool.FAILED);
        assertThat(run.err()).contains("line " + line + " of " + file + ": " + reason);
        assertWritten(run.err(), writtenBefore);
        return run.err();
    }

    private static void assertWritten(String said, long lines) {
        Matcher written = WRITTEN.matcher(said);
        assertThat(written.find()).as(said).isTrue();
        assertThat(Long.parseLong(written.group(1).replace(",", ""))).as(said).isEqualTo(lines);
        assertThat(Long.parseLong(written.group(2).replace(",", ""))).as(said).isEqualTo(lines);
        assertThat(server.admin().dbsize()).as("keys on the server").isEqualTo(lines);
    }

    @Test
    void malformedJson() throws Exception {
        Path file = file(good(0, 50), "{\"key\":\"x\",\"type\":\"string\",\"ttl\":-1,\"value\":\"v\",}\n"
                .getBytes(StandardCharsets.UTF_8), good(50, 60));
        String said = refused(file, 51, "malformed JSON at column 49: Unexpected character ('}'", 50);
        assertThat(said).contains("every line before it was written");
    }

    @Test
    void aTruncatedLastLine() throws Exception {
        byte[] last = good(20, 21);
        Path file = file(good(0, 20), Arrays.copyOf(last, last.length / 2));
        refused(file, 21, "malformed JSON", 20);
        assertThat(ToolRun.of("import", "--redis-url", server.uri(), "--input", file.toString(), "--replace",
                "--progress", "none").err()).contains("cut short?");
    }

    @Test
    void nulBytes() throws Exception {
        Path file = file(good(0, 2), "{\"key\":\"nul\u0000\",\"type\":\"string\",\"ttl\":-1,\"value\":\"v\"}\n"
                .getBytes(StandardCharsets.UTF_8), good(2, 5));
        refused(file, 3, "binary data, not an export line: a NUL byte at column 12", 2);
    }

    @Test
    void invalidUtf8() throws Exception {
        byte[] line = "{\"key\":\"caf\u00e9\",\"type\":\"string\",\"ttl\":-1,\"value\":\"v\"}\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        refused(file(good(0, 3), line), 4, "not UTF-8 text: byte 0xe9 at column 12", 3);
    }

    @Test
    void randomBinary() throws Exception {
        byte[] noise = new byte[1 << 20];
        new Random(14).nextBytes(noise);
        ToolRun run = ToolRun.of("import", "--redis-url", server.uri(), "--input", file(noise).toString(),
                "--progress", "none");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(KeyExportTool.FAILED);
        assertThat(run.err()).containsPattern("line 1 of .*: (binary data|not UTF-8 text)");
        assertWritten(run.err(), 0);
    }

    @Test
    void jsonThatIsNotAnExportLine() throws Exception {
        refused(file(good(0, 7), "{\"colour\":\"blue\"}\n".getBytes(StandardCharsets.UTF_8)), 8,
                "unknown field \"colour\"", 7);
    }

    @Test
    void aFailedWriteReportsExactlyWhatWasWritten() throws Exception {
        server.admin().set("bad-input:100", "already here");
        ToolRun run = ToolRun.of("import", "--redis-url", server.uri(), "--input", file(good(0, 500)).toString(),
                "--progress", "none", "--concurrency", "64");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(KeyExportTool.FAILED);
        assertThat(run.err()).contains("\"bad-input:100\": the key exists");
        Matcher written = WRITTEN.matcher(run.err());
        assertThat(written.find()).as(run.err()).isTrue();
        // the key that existed is not one of them; the writes in flight when it failed are
        assertThat(server.admin().dbsize() - 1).as(run.err())
                .isEqualTo(Long.parseLong(written.group(1).replace(",", "")));
        assertThat(server.admin().get("bad-input:100")).isEqualTo("already here");
    }

    /** A 100 MB line, read by a JVM with 48 MB of heap: refused once the limit is read, without running out. */
    @Test
    void aHundredMegabyteLineInASmallHeap() throws Exception {
        Path file = dir.resolve("huge.ndjson");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(good(0, 10));
            out.write("{\"key\":\"huge\",\"type\":\"string\",\"ttl\":-1,\"value\":\"".getBytes(StandardCharsets.UTF_8));
            byte[] block = new byte[1 << 16];
            Arrays.fill(block, (byte) 'x');
            for (int i = 0; i < (100 << 20) / block.length; i++) {
                out.write(block);
            }
            out.write("\"}\n".getBytes(StandardCharsets.UTF_8));
            out.write(good(10, 12));
        }
        try (ForkedTool tool = ForkedTool.start(List.of("-Xmx48m", "-XX:+ExitOnOutOfMemoryError"),
                dir.resolve("stderr.txt"), "import", "--redis-url", server.uri(), "--input", file.toString(),
                "--progress", "none")) {
            int code = tool.waitFor(Duration.ofMinutes(5));
            String said = tool.stderr();
            assertThat(code).as(said).isEqualTo(KeyExportTool.FAILED);
            // the default limit: a sixteenth of the heap, about 3 MB here
            assertThat(said).containsPattern("line 11 of " + Pattern.quote(file.toString())
                    + ": longer than the maximum line size, [23],\\d{3},\\d{3} bytes \\(--max-line-size")
                    .doesNotContain("OutOfMemoryError");
            assertWritten(said, 10);
        }
    }
}
