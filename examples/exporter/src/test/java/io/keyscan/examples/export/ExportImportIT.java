package io.keyscan.examples.export;

import static io.keyscan.examples.export.Dataset.b;
import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.Patterns;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.RedisExtension;
import io.keyscan.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Export from server A, import into server B, and compare both keyspaces in full. */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportImportIT {

    /** Time passes between reading a TTL on A and setting it on B; generous for a loaded machine. */
    private static final long TTL_TOLERANCE = Duration.ofMinutes(2).toMillis();

    private final RedisServer a;
    private LocalRedisServer b;
    private RedisClient clientA;
    private RedisClient clientB;
    private RedisCommands<byte[], byte[]> redisA;
    private RedisCommands<byte[], byte[]> redisB;
    private Map<Bytes, KeyspaceSnapshot.Entry> source;
    @TempDir
    Path dir;

    ExportImportIT(RedisServer a) {
        this.a = a;
    }

    @BeforeAll
    void start() {
        b = LocalRedisServer.start();
        clientA = RedisClient.create(a.redisUri());
        clientB = RedisClient.create(b.redisUri());
        StatefulRedisConnection<byte[], byte[]> connectionA = clientA.connect(ByteArrayCodec.INSTANCE);
        redisA = connectionA.sync();
        redisB = clientB.connect(ByteArrayCodec.INSTANCE).sync();
        a.flushAll();
        Dataset.load(redisA);
        source = KeyspaceSnapshot.of(redisA);
    }

    @AfterAll
    void stop() {
        clientA.shutdown();
        clientB.shutdown();
        b.close();
    }

    @BeforeEach
    void emptyB() {
        b.flushAll();
    }

    @Test
    void valuesRoundTripByteForByte() throws Exception {
        Path file = dir.resolve("values.ndjson");
        ToolRun export = ToolRun.of("export", "--redis-url", a.uri(), "--values", "--output", file.toString(),
                "--progress", "none");
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(export.err()).contains("Exported " + String.format("%,d", source.size()) + " keys");

        List<Map<String, Object>> lines = ToolRun.lines(file);
        Map<String, Object> binaryKey = lineOf(lines, "key_b64", Base64.getEncoder().encodeToString(
                new byte[] {'b', 'i', 'n', ':', (byte) 0xff, (byte) 0xfe}));
        assertThat(binaryKey.get("value")).isEqualTo("key not UTF-8");
        assertThat(lineOf(lines, "key", "ключ:ü:🎉").get("value")).isEqualTo("värde 🎉 \u2028");
        assertThat(lineOf(lines, "key", "new\nline\r\nkey").get("ttl")).isEqualTo(-1L);
        assertThat(lineOf(lines, "key", "bin-value").get("value_b64")).isEqualTo("AP+AeA==");
        assertThat(lineOf(lines, "key", "ttl:string").get("ttl")).isInstanceOf(Long.class)
                .satisfies(ttl -> assertThat((Long) ttl).isPositive());
        // a value over 1,000 elements is written over several lines; the key counts once
        List<Map<String, Object>> bigHash = lines.stream().filter(line -> "big:hash".equals(line.get("key"))).toList();
        assertThat(bigHash).hasSizeGreaterThan(1);
        assertThat(bigHash.get(0)).containsKey("ttl").containsEntry("more", true);
        assertThat(bigHash.get(bigHash.size() - 1)).doesNotContainKey("more");
        assertThat(bigHash.get(1)).containsEntry("part", 2L);

        ToolRun imported = ToolRun.of("import", "--redis-url", b.uri(), "--input", file.toString(), "--progress",
                "none");
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(imported.err()).contains("Imported " + String.format("%,d", source.size()) + " keys");
        Dataset.assertSameKeyspace(source, KeyspaceSnapshot.of(redisB), TTL_TOLERANCE);
    }

    /**
     * Tiny limits put most keys past a call's budget (read again alone) or over one line (read in chunks of 7
     * elements or 50 bytes, so HSCAN, SSCAN, ZSCAN, LRANGE, XRANGE and GETRANGE each take many calls).
     */
    @Test
    void tinyLimitsStillRoundTrip() throws Exception {
        Path file = dir.resolve("tiny.ndjson");
        KeyReader.Limits tiny = new KeyReader.Limits(10, 100, 20, 200, 7, 50);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (RedisTarget target = RedisTarget.standalone(a.redisUri(), Duration.ofSeconds(30))) {
            int code = Exporter.run(target, new Exporter.Settings("*", null, KeyReader.Mode.VALUES, file, false,
                    Arguments.Distinct.ON, 100, 8, Progress.Style.NONE, tiny), new PrintStream(err, true));
            assertThat(code).as(err.toString()).isZero();
        }
        List<Map<String, Object>> lines = ToolRun.lines(file);
        assertThat(lines.stream().filter(line -> "big:binary-string".equals(line.get("key"))))
                .as("a 3 MiB string in 50-byte parts").hasSize((3 * 1024 * 1024 + 17 + 49) / 50);

        ToolRun imported = ToolRun.of("import", "--redis-url", b.uri(), "--input", file.toString(), "--progress",
                "none");
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        Dataset.assertSameKeyspace(source, KeyspaceSnapshot.of(redisB), TTL_TOLERANCE);
    }

    @Test
    void dumpPayloadsRoundTrip() throws Exception {
        Path file = dir.resolve("dump.ndjson");
        ToolRun export = ToolRun.of("export", "--redis-url", a.uri(), "--dump", "--output", file.toString(),
                "--progress", "none");
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(ToolRun.lines(file)).hasSize(source.size()).allSatisfy(line -> assertThat(line).containsKey("dump"));

        ToolRun imported = ToolRun.of("import", "--redis-url", b.uri(), "--input", file.toString(), "--progress",
                "none");
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        Dataset.assertSameKeyspace(source, KeyspaceSnapshot.of(redisB), TTL_TOLERANCE);
    }

    @Test
    void typeFilterWritesOnlyThatType() throws Exception {
        for (String type : List.of("hash", "zset", "stream", "string")) {
            Path file = dir.resolve(type + ".ndjson");
            ToolRun export = ToolRun.of("export", "--redis-url", a.uri(), "--type", type, "--output", file.toString(),
                    "--progress", "none");
            assertThat(export.exitCode()).as(export.err()).isZero();
            Set<Bytes> written = new HashSet<>();
            for (Map<String, Object> line : ToolRun.lines(file)) {
                assertThat(line.get("type")).isEqualTo(type);
                written.add(keyOf(line));
            }
            assertThat(written).as(type).isEqualTo(KeyspaceSnapshot.ofType(source, type));
        }
    }

    @Test
    void patternWithGlobCharactersEscapedMatchesOnlyThatKey() throws Exception {
        Path file = dir.resolve("one.ndjson");
        ToolRun export = ToolRun.of("export", "--redis-url", a.uri(), "--values", "--pattern",
                Patterns.escape("glob*?[a-z]\\key"), "--output", file.toString(), "--progress", "none");
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(ToolRun.lines(file)).singleElement().satisfies(line -> assertThat(line.get("key"))
                .isEqualTo("glob*?[a-z]\\key"));
    }

    @Test
    void anExistingKeyStopsTheImportUnlessReplace() throws Exception {
        Path file = dir.resolve("strings.ndjson");
        ToolRun export = ToolRun.of("export", "--redis-url", a.uri(), "--pattern", "plain:*", "--values", "--output",
                file.toString(), "--progress", "none");
        assertThat(export.exitCode()).as(export.err()).isZero();
        redisB.set(b("plain:1"), b("already here"));

        ToolRun refused = ToolRun.of("import", "--redis-url", b.uri(), "--input", file.toString(), "--progress",
                "none");
        assertThat(refused.exitCode()).isEqualTo(KeyExportTool.FAILED);
        assertThat(refused.err()).contains("line 1 of " + file).contains("\"plain:1\"").contains("--replace");
        assertThat(redisB.get(b("plain:1"))).isEqualTo(b("already here"));

        ToolRun replaced = ToolRun.of("import", "--redis-url", b.uri(), "--input", file.toString(), "--replace",
                "--progress", "none");
        assertThat(replaced.exitCode()).as(replaced.err()).isZero();
        assertThat(redisB.get(b("plain:1"))).isEqualTo(b("hello"));
    }

    @Test
    void aFileWithoutValuesIsRefusedByImport() throws Exception {
        Path file = dir.resolve("keys.ndjson");
        ToolRun export = ToolRun.of("export", "--redis-url", a.uri(), "--pattern", "small:1*", "--output",
                file.toString(), "--progress", "none");
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(ToolRun.lines(file)).isNotEmpty().allSatisfy(line -> assertThat(line.keySet())
                .containsExactlyInAnyOrder("key", "type", "ttl"));

        ToolRun refused = ToolRun.of("import", "--redis-url", b.uri(), "--input", file.toString(), "--progress",
                "none");
        assertThat(refused.exitCode()).isEqualTo(KeyExportTool.FAILED);
        assertThat(refused.err()).contains("line 1").contains("exported without --values or --dump");
        assertThat(redisB.dbsize()).isZero();
    }

    @Test
    void anExistingOutputFileIsKeptUnlessForce() throws Exception {
        Path file = dir.resolve("kept.ndjson");
        Files.writeString(file, "precious\n");
        ToolRun refused = ToolRun.of("export", "--redis-url", a.uri(), "--output", file.toString(), "--progress",
                "none");
        assertThat(refused.exitCode()).isEqualTo(KeyExportTool.FAILED);
        assertThat(refused.err()).contains(file + " exists; --force overwrites it");
        assertThat(Files.readString(file)).isEqualTo("precious\n");
    }

    private static Map<String, Object> lineOf(List<Map<String, Object>> lines, String field, String value) {
        return lines.stream().filter(line -> value.equals(line.get(field))).findFirst()
                .orElseThrow(() -> new AssertionError("no line with " + field + " " + value));
    }

    private static Bytes keyOf(Map<String, Object> line) {
        return line.containsKey("key") ? Bytes.of((String) line.get("key"))
                : new Bytes(Base64.getDecoder().decode((String) line.get("key_b64")));
    }
}
