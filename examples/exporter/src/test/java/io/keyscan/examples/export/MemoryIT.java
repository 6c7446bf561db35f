package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.testkit.LocalRedisServer;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000,000 keys with their values exported by a JVM with a 64 MB heap: memory does not grow with the keyspace. And a
 * heap too small for what was asked ({@code --distinct on}) ends the export with an error, not a hang.
 */
class MemoryIT {

    private static final int KEYS = 1_000_000;

    static LocalRedisServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadAMillionKeys() {
        server = LocalRedisServer.start();
        server.mset(0, KEYS, i -> String.format("mem:%07d", i), i -> "value-" + i);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aMillionKeysWithValuesIn64MegabytesOfHeap() throws Exception {
        Path file = dir.resolve("million.ndjson");
        // an OutOfMemoryError ends the JVM at once rather than leaving a stream waiting for a lost signal
        try (ForkedTool tool = ForkedTool.start(List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError"),
                dir.resolve("stderr.txt"), "export", "--redis-url", server.uri(), "--values", "--output",
                file.toString(), "--progress", "plain")) {
            int code = tool.waitFor(Duration.ofMinutes(10));
            assertThat(code).as(tool.stderr()).isZero();
            assertThat(tool.stderr()).contains("Exported 1,000,000 keys");
        }
        Set<String> keys = new HashSet<>();
        long lines = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines++;
                @SuppressWarnings("unchecked")
                Map<String, Object> parsed = (Map<String, Object>) JsonReader.parse(line);
                String key = (String) parsed.get("key");
                assertThat(parsed.get("value")).as(key).isEqualTo("value-" + Integer.parseInt(key.substring(4)));
                keys.add(key);
            }
        }
        assertThat(lines).isEqualTo(KEYS);
        assertThat(keys).hasSize(KEYS);
    }

    @Test
    void aHeapTooSmallForDistinctEndsTheExportWithAnErrorAndACompleteFile() throws Exception {
        Path file = dir.resolve("cut.ndjson");
        // About 44 bytes a key for the de-duplication set: 1,000,000 keys cannot fit in keyscan's default limit, a
        // quarter of 24 MB, so the listing fails at that limit, long before the heap runs out. No
        // -XX:+ExitOnOutOfMemoryError: had the heap run out, the test would see it (a hang or another error).
        try (ForkedTool tool = ForkedTool.start(List.of("-Xmx24m"), dir.resolve("stderr-oom.txt"), "export",
                "--redis-url", server.uri(), "--distinct", "on", "--output", file.toString(), "--progress", "none")) {
            int code = tool.waitFor(Duration.ofMinutes(2));
            assertThat(code).as(tool.stderr()).isEqualTo(KeyExportTool.FAILED);
            Matcher failed = Pattern.compile(
                    "Export failed after ([\\d,]+) keys: .*would take more than distinctMemoryLimit")
                    .matcher(tool.stderr());
            assertThat(failed.find()).as(tool.stderr()).isTrue();
            long written = Long.parseLong(failed.group(1).replace(",", ""));
            assertThat(written).isPositive().isLessThan(KEYS);
            assertThat(tool.stderr()).contains("--distinct off");
            long lines = 0;
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines++;
                    assertThat(JsonReader.parse(line)).as("line %d", lines).isInstanceOf(Map.class);
                }
            }
            assertThat(lines).as("every key said to be written is in the file, whole").isEqualTo(written);
        }
    }
}
