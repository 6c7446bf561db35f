package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.testkit.LocalRedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ctrl-C for real: the exporter runs in a JVM of its own and gets SIGINT part way; the file it leaves must be valid
 * NDJSON, every line whole, holding exactly the keys it reports, each with its value.
 */
class InterruptIT {

    private static final Logger log = LoggerFactory.getLogger(InterruptIT.class);
    private static final int KEYS = 200_000;

    @TempDir
    Path dir;

    @Test
    void ctrlCLeavesAValidFileOfTheKeysExportedSoFar() throws Exception {
        try (LocalRedisServer source = LocalRedisServer.start(); LocalRedisServer target = LocalRedisServer.start()) {
            source.mset(0, KEYS, i -> String.format("app:%06d", i), i -> "value of " + i + " \n \"quoted\"");
            source.admin().hset("app:big-hash", numbered(5_000)); // written over several lines
            Path file = dir.resolve("partial.ndjson");

            try (ForkedTool tool = ForkedTool.start(List.of("-Xmx256m"), dir.resolve("stderr.txt"), "export",
                    "--redis-url", source.uri(), "--pattern", "app:*", "--values", "--output", file.toString(),
                    "--progress", "plain")) {
                assertThat(tool.awaitFileSize(file, 1, Duration.ofMinutes(2)))
                        .as("the export wrote something; it said: %s", tool.stderr()).isTrue();
                // freeze the server: the export cannot finish before the signal, and stops with commands in flight
                source.pause();
                try {
                    assertThat(tool.isAlive()).as("still exporting; it said: %s", tool.stderr()).isTrue();
                    String signal = tool.interrupt();
                    log.info("sent SIG{} to the exporter", signal);
                    int code = tool.waitFor(Duration.ofMinutes(1));
                    assertThat(code).as(tool.stderr()).isEqualTo(signal.equals("INT") ? 130 : 143);
                } finally {
                    source.resume();
                }
                String said = tool.stderr();
                log.info("the exporter said: {}", said);
                Matcher reported = Pattern.compile("Interrupted: ([\\d,]+) keys written to").matcher(said);
                assertThat(reported.find()).as(said).isTrue();
                long written = Long.parseLong(reported.group(1).replace(",", ""));

                List<Map<String, Object>> lines = ToolRun.lines(file); // every line whole JSON, ending in a newline
                assertThat(written).isPositive().isLessThan(KEYS + 1);
                assertThat(lines.stream().filter(line -> line.containsKey("ttl")).count()).isEqualTo(written);

                ToolRun imported = ToolRun.of("import", "--redis-url", target.uri(), "--input", file.toString(),
                        "--progress", "none");
                assertThat(imported.exitCode()).as(imported.err()).isZero();
                RedisClient sourceClient = RedisClient.create(source.redisUri());
                RedisClient targetClient = RedisClient.create(target.redisUri());
                try {
                    RedisCommands<byte[], byte[]> from = sourceClient.connect(ByteArrayCodec.INSTANCE).sync();
                    RedisCommands<byte[], byte[]> to = targetClient.connect(ByteArrayCodec.INSTANCE).sync();
                    Map<Bytes, KeyspaceSnapshot.Entry> copied = KeyspaceSnapshot.of(to);
                    assertThat(copied).hasSize((int) written);
                    copied.forEach((key, entry) -> assertThat(KeyspaceSnapshot.entry(from, key.bytes()))
                            .as("key %s", key).isEqualTo(entry));
                } finally {
                    sourceClient.shutdown();
                    targetClient.shutdown();
                }
                assertThat(Files.readString(file, StandardCharsets.UTF_8)).endsWith("\n");
            }
        }
    }

    private static Map<String, String> numbered(int count) {
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i < count; i++) {
            fields.put("field-" + i, "value-" + i);
        }
        return fields;
    }
}
