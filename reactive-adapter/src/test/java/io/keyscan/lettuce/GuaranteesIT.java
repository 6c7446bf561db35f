package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanException;
import io.keyscan.KeyScanOptions;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.RedisExtension;
import io.keyscan.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * SCAN's guarantees, kept by keyscan against a real server, under writes, deletes, expiry and table resizes.
 * "Nothing lost" means every key present for the whole iteration is
 * in the result.
 */
@ExtendWith(RedisExtension.class)
class GuaranteesIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final KeyScanOptions SCAN = KeyScanOptions.builder().useScan(true).build();

    private final RedisServer redis;

    GuaranteesIT(RedisServer redis) {
        this.redis = redis;
    }

    private static KeyScanOptions fixedCount(int count) {
        return SCAN.mutate().scanCountAutoTune(false).scanCount(count).build();
    }

    /** {@code prefix0000000..} keys, written with MSET. */
    static List<String> writeKeys(RedisServer server, String prefix, int from, int to) {
        return writeKeys(server, prefix, from, to, i -> "v");
    }

    /** {@code prefix0000000..} keys with {@code value.apply(i)}, written with MSET; the keys in order. */
    static List<String> writeKeys(RedisServer server, String prefix, int from, int to, IntFunction<String> value) {
        List<String> keys = new ArrayList<>(to - from);
        server.mset(from, to, i -> {
            String key = String.format("%s%07d", prefix, i);
            keys.add(key);
            return key;
        }, value);
        return keys;
    }

    @ParameterizedTest(name = "COUNT {0}")
    @ValueSource(ints = {10, 1000})
    void everyKeyOnceAtSmallAndLargeCount(int count) {
        redis.flushAll();
        List<String> data = writeKeys(redis, "row1:", 0, 10_000);
        try (ScannerFixture fixture = new ScannerFixture(redis, fixedCount(count))) {
            StepVerifier.create(fixture.scanner.scan("row1:*").collectList())
                    .assertNext(keys -> assertThat(keys).doesNotHaveDuplicates().hasSameElementsAs(data))
                    .expectComplete()
                    .verify(WAIT);
            StepVerifier.create(fixture.scanner.fetchKeys("row1:*"))
                    .expectNext(data)
                    .expectComplete()
                    .verify(WAIT);
        }
    }

    @Test
    void sparseMatchThroughThousandsOfEmptyPages() {
        redis.flushAll();
        writeKeys(redis, "hay:", 0, 100_000);
        List<String> needles = writeKeys(redis, "needle:", 0, 5);
        redis.resetStats();
        try (ScannerFixture fixture = new ScannerFixture(redis, fixedCount(10))) {
            StepVerifier.create(fixture.scanner.fetchKeys("needle:*"))
                    .expectNext(needles)
                    .expectComplete()
                    .verify(WAIT);
        }
        // about dbsize / COUNT calls, nearly all of them returning no key
        assertThat(redis.commandStats("scan").calls()).isGreaterThan(5_000);
    }

    @Test
    void writesDuringTheScanLoseNoPreexistingKey() {
        redis.flushAll();
        List<String> before = writeKeys(redis, "row3:old:", 0, 10_000);
        Set<String> seen = new HashSet<>();
        try (ScannerFixture fixture = new ScannerFixture(redis, fixedCount(100))) {
            StepVerifier.Step<String> step = StepVerifier.create(fixture.scanner.scan("row3:*").doOnNext(seen::add), 0)
                    .thenRequest(1_000)
                    .expectNextCount(1_000);
            for (int round = 0; round < 5; round++) {
                int from = round * 2_000;
                step = step.then(() -> writeKeys(redis, "row3:new:", from, from + 2_000))
                        .thenRequest(1_000)
                        .expectNextCount(1_000);
            }
            step.thenRequest(Long.MAX_VALUE)
                    .thenConsumeWhile(key -> true)
                    .expectComplete()
                    .verify(WAIT);
        }
        Completeness.assertNothingLost(seen, before);
    }

    @Test
    void tableShrinkingMidScanLosesNoSurvivingKey() {
        try (LocalRedisServer server = LocalRedisServer.start()) {
            List<String> all = writeKeys(server, "row4:", 0, 20_000);
            List<String> doomed = new ArrayList<>(all);
            java.util.Collections.shuffle(doomed, new Random(4));
            List<String> survivors = new ArrayList<>(doomed.subList(18_000, 20_000));
            List<String> deleted = doomed.subList(0, 18_000);
            String before = debug(server, "HTSTATS", "0");
            Set<String> seen = new HashSet<>();
            boolean[] shrank = {false};
            try (ScannerFixture fixture = new ScannerFixture(server, fixedCount(100))) {
                StepVerifier.create(fixture.scanner.scan("row4:*").doOnNext(seen::add), 0)
                        .thenRequest(1_000)
                        .expectNextCount(1_000)
                        .then(() -> {
                            for (int i = 0; i < deleted.size(); i += 1_000) {
                                server.admin().del(deleted.subList(i, i + 1_000).toArray(new String[0]));
                            }
                            // Redis shrinks a table only from its cron: run it often and wait (bounded) until
                            // the table is being resized, so that the rest of the walk crosses the resize.
                            server.admin().configSet("hz", "500");
                            shrank[0] = awaitStatsChange(server, before);
                        })
                        .thenRequest(Long.MAX_VALUE)
                        .thenConsumeWhile(key -> true)
                        .expectComplete()
                        .verify(WAIT);
            }
            assertThat(shrank[0]).as("the table resized during the scan: %s", debug(server, "HTSTATS", "0")).isTrue();
            assertThat(server.admin().dbsize()).isEqualTo(2_000);
            Completeness.assertNothingLost(seen, survivors);
        }
    }

    /** Polls DEBUG HTSTATS for up to 10 s until it differs from {@code before} in table size. */
    private static boolean awaitStatsChange(RedisServer server, String before) {
        String sizeBefore = tableSizes(before);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!tableSizes(debug(server, "HTSTATS", "0")).equals(sizeBefore)) {
                return true;
            }
        }
        return false;
    }

    private static String tableSizes(String htstats) {
        return java.util.Arrays.stream(htstats.split("\n")).filter(line -> line.contains("table size"))
                .collect(Collectors.joining(","));
    }

    @Test
    void tableGrowingTenfoldMidScanLosesNoKey() {
        redis.flushAll();
        List<String> original = writeKeys(redis, "row4g:a:", 0, 2_000);
        Set<String> seen = new HashSet<>();
        try (ScannerFixture fixture = new ScannerFixture(redis, fixedCount(50))) {
            StepVerifier.create(fixture.scanner.scan("row4g:*").doOnNext(seen::add), 0)
                    .thenRequest(300)
                    .expectNextCount(300)
                    .then(() -> writeKeys(redis, "row4g:b:", 0, 20_000))
                    .thenRequest(Long.MAX_VALUE)
                    .thenConsumeWhile(key -> true)
                    .expectComplete()
                    .verify(WAIT);
        }
        Completeness.assertNothingLost(seen, original);
    }

    @Test
    void expiredKeysAreNotListed() {
        try (LocalRedisServer server = LocalRedisServer.start()) {
            debug(server, "SET-ACTIVE-EXPIRE", "0");
            List<String> live = writeKeys(server, "row5:live:", 0, 100);
            List<String> expiring = writeKeys(server, "row5:gone:", 0, 100);
            // 50 ms, not 1: Redis 6.2 deletes a key at once if a 1 ms deadline passes within the PEXPIRE itself.
            for (String key : expiring) {
                server.admin().pexpire(key, 50);
            }
            // The server sleeps 100 ms itself, so every TTL has passed; with active expiry off the keys stay in memory.
            debug(server, "SLEEP", "0.1");
            assertThat(server.admin().dbsize()).as("expired keys still held").isEqualTo(200);

            for (KeyScanOptions options : List.of(KeyScanOptions.defaults(), SCAN)) {
                try (ScannerFixture fixture = new ScannerFixture(server, options)) {
                    StepVerifier.create(fixture.scanner.fetchKeys("row5:*"))
                            .expectNext(live)
                            .expectComplete()
                            .verify(WAIT);
                }
            }
        }
    }

    @Test
    void tenKeysRequestedOfAHundredThousandMeansOneScanCall() {
        redis.flushAll();
        writeKeys(redis, "row6:", 0, 100_000);
        redis.resetStats();
        try (ScannerFixture fixture = new ScannerFixture(redis, SCAN)) {
            StepVerifier.create(fixture.scanner.scan("row6:*"), 0)
                    .thenRequest(10)
                    .expectNextCount(10)
                    .then(fixture::settle)
                    .then(() -> assertThat(redis.commandStats("scan").calls()).isEqualTo(1))
                    .thenCancel()
                    .verify(WAIT);
        }
    }

    @Test
    void noScanAfterTakeOrCancel() {
        redis.flushAll();
        writeKeys(redis, "row7:", 0, 10_000);
        redis.resetStats();
        try (ScannerFixture fixture = new ScannerFixture(redis, fixedCount(100))) {
            StepVerifier.create(fixture.scanner.scan("row7:*").take(250))
                    .expectNextCount(250)
                    .expectComplete()
                    .verify(WAIT);
            fixture.settle();
            long afterTake = redis.commandStats("scan").calls();
            StepVerifier.create(fixture.scanner.scan("row7:*"), 0)
                    .thenRequest(250)
                    .expectNextCount(250)
                    .thenCancel()
                    .verify(WAIT);
            fixture.settle();
            long afterCancel = redis.commandStats("scan").calls();
            fixture.settle();
            assertThat(redis.commandStats("scan").calls()).isEqualTo(afterCancel);
            // a full walk would be about 100 calls; 250 keys need 3 or 4 pages of about 100
            assertThat(afterTake).isBetween(2L, 5L);
            assertThat(afterCancel - afterTake).isBetween(2L, 5L);
        }
    }

    @Test
    void writingToTheSameConnectionInsideTheStreamLosesNothingAndDoesNotDeadlock() {
        redis.flushAll();
        List<String> keys = writeKeys(redis, "row10:", 0, 5_000);
        try (ScannerFixture fixture = new ScannerFixture(redis, fixedCount(100))) {
            Flux<String> values = fixture.scanner.scan("row10:*")
                    .concatMap(key -> fixture.connection.reactive().set("row10copy:" + key, key)
                            .then(fixture.connection.reactive().get(key)));
            StepVerifier.create(values.count())
                    .expectNext((long) keys.size())
                    .expectComplete()
                    .verify(WAIT);
        }
        assertThat(redis.admin().keys("row10copy:*")).hasSize(keys.size());
    }

    @Test
    void keysOfAnyContentAreListedExactly() {
        redis.flushAll();
        List<byte[]> odd = new ArrayList<>(List.of(
                bytes("row22:with space"), bytes("row22:new\nline"), bytes("row22:tab\tand\r\nCRLF"),
                bytes("row22:glob*?[]\\^-"), bytes("row22:unicode é 日本 😀"), bytes("row22:" + "k".repeat(10_000)),
                bytes("row22:"), new byte[] {'r', 'o', 'w', '2', '2', ':', 0, 1, 2}));
        byte[] notUtf8 = {'r', 'o', 'w', '2', '2', ':', (byte) 0xff, (byte) 0xfe, 'x'};
        RedisClient client = RedisClient.create(redis.redisUri());
        try (StatefulRedisConnection<byte[], byte[]> binary = client.connect(ByteArrayCodec.INSTANCE)) {
            binary.sync().set(new byte[0], bytes("empty key"));
            for (byte[] key : odd) {
                binary.sync().set(key, key);
            }
            List<String> asStrings = odd.stream().map(key -> new String(key, StandardCharsets.UTF_8))
                    .sorted().collect(Collectors.toList());
            for (KeyScanOptions options : List.of(KeyScanOptions.defaults(), SCAN)) {
                try (ScannerFixture fixture = new ScannerFixture(redis, options)) {
                    StepVerifier.create(fixture.scanner.fetchKeys("row22:*"))
                            .expectNext(asStrings)
                            .expectComplete()
                            .verify(WAIT);
                    StepVerifier.create(fixture.scanner.fetchKeys("*"))
                            .assertNext(keys -> assertThat(keys).contains("").hasSize(odd.size() + 1))
                            .expectComplete()
                            .verify(WAIT);
                }
            }

            binary.sync().set(notUtf8, notUtf8);
            List<byte[]> expectedBytes = new ArrayList<>(odd);
            expectedBytes.add(notUtf8);
            expectedBytes.sort(Arrays::compareUnsigned);
            for (KeyScanOptions options : List.of(KeyScanOptions.defaults(), SCAN)) {
                try (ScannerFixture fixture = new ScannerFixture(redis, options)) {
                    StepVerifier.create(fixture.scanner.fetchKeyBytes("row22:*"))
                            .assertNext(keys -> assertThat(keys).containsExactlyElementsOf(expectedBytes))
                            .expectComplete()
                            .verify(WAIT);
                    StepVerifier.create(fixture.scanner.fetchKeys("row22:*"))
                            .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                                    .hasMessageContaining("\"row22:\\xff\\xfex\"")
                                    .hasMessageContaining("not valid UTF-8"))
                            .verify(WAIT);
                }
            }
            try (ScannerFixture fixture = new ScannerFixture(redis, SCAN)) {
                StepVerifier.create(fixture.scanner.scanBytes("row22:*").collectList())
                        .assertNext(keys -> assertThat(keys).hasSize(expectedBytes.size())
                                .anySatisfy(key -> assertThat(key).isEqualTo(notUtf8)))
                        .expectComplete()
                        .verify(WAIT);
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** {@code DEBUG <args>} (the server runs with {@code enable-debug-command local}). */
    static String debug(RedisServer server, String... args) {
        CommandArgs<String, String> commandArgs = new CommandArgs<>(StringCodec.UTF8);
        for (String arg : args) {
            commandArgs.add(arg);
        }
        return server.admin().dispatch(CommandType.DEBUG, new StatusOutput<>(StringCodec.UTF8), commandArgs);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
