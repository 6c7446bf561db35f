package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.testkit.LocalRedisServer;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 1,000,000 keys with their values exported by a JVM with a 64 MB heap: memory does not grow with the keyspace. */
class MemoryIT {

    private static final int KEYS = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void aMillionKeysWithValuesIn64MegabytesOfHeap() throws Exception {
        try (LocalRedisServer server = LocalRedisServer.start()) {
            RedisCommands<String, String> admin = server.admin();
            Map<String, String> batch = new HashMap<>();
            for (int i = 0; i < KEYS; i++) {
                batch.put(String.format("mem:%07d", i), "value-" + i);
                if (batch.size() == 2000) {
                    admin.mset(batch);
                    batch.clear();
                }
            }
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
                    Map<String, Object> parsed = (Map<String, Object>) JsonParser.parse(line);
                    String key = (String) parsed.get("key");
                    assertThat(parsed.get("value")).as(key).isEqualTo("value-" + Integer.parseInt(key.substring(4)));
                    keys.add(key);
                }
            }
            assertThat(lines).isEqualTo(KEYS);
            assertThat(keys).hasSize(KEYS);
        }
    }
}
