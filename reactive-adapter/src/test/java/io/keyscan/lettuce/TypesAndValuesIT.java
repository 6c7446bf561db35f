package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyType;
import io.keyscan.KeyValue;
import io.keyscan.testkit.RedisExtension;
import io.keyscan.testkit.RedisServer;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

/** The TYPE filter and MGET values against a real server. */
@ExtendWith(RedisExtension.class)
class TypesAndValuesIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int STRINGS = 20_000;

    private final RedisServer redis;
    private final Map<KeyType, List<String>> byType = new EnumMap<>(KeyType.class);
    private final Map<String, String> strings = new HashMap<>();

    TypesAndValuesIT(RedisServer redis) {
        this.redis = redis;
    }

    @BeforeEach
    void load() {
        redis.flushAll();
        RedisCommands<String, String> admin = redis.admin();
        for (KeyType type : KeyType.values()) {
            byType.put(type, new ArrayList<>());
        }
        Map<String, String> batch = new HashMap<>();
        for (int i = 0; i < STRINGS; i++) {
            String key = String.format("tv:%05d:s", i);
            strings.put(key, "value " + i + " é");
            batch.put(key, strings.get(key));
            byType.get(KeyType.STRING).add(key);
            if (batch.size() == 1000) {
                admin.mset(batch);
                batch.clear();
            }
        }
        for (int i = 0; i < 300; i++) {
            String n = String.format("%05d", i);
            admin.hset("tv:" + n + ":h", "f", "1");
            admin.rpush("tv:" + n + ":l", "a");
            admin.sadd("tv:" + n + ":t", "a");
            admin.zadd("tv:" + n + ":z", 1.0, "a");
            admin.xadd("tv:" + n + ":x", Map.of("f", "1"));
            byType.get(KeyType.HASH).add("tv:" + n + ":h");
            byType.get(KeyType.LIST).add("tv:" + n + ":l");
            byType.get(KeyType.SET).add("tv:" + n + ":t");
            byType.get(KeyType.ZSET).add("tv:" + n + ":z");
            byType.get(KeyType.STREAM).add("tv:" + n + ":x");
        }
    }

    /** Pairs sorted by key, each key once (scan may repeat a key, as SCAN does). */
    private static List<KeyValue> byKey(List<KeyValue> pairs) {
        Map<String, KeyValue> sorted = new java.util.TreeMap<>();
        for (KeyValue pair : pairs) {
            sorted.put(pair.key(), pair);
        }
        return new ArrayList<>(sorted.values());
    }

    private static List<String> sortedDistinct(List<String> keys) {
        return new ArrayList<>(new TreeSet<>(keys));
    }

    @Test
    void eachTypeIsListedExactlyOnBothPaths() {
        KeyScanOptions scan = KeyScanOptions.builder().useScan(true).build();
        try (ScannerFixture keysPath = new ScannerFixture(redis, KeyScanOptions.defaults());
                ScannerFixture scanPath = new ScannerFixture(redis, scan)) {
            for (KeyType type : KeyType.values()) {
                List<String> expected = sortedDistinct(byType.get(type));
                StepVerifier.create(scanPath.scanner.scan("tv:*", type).collectList().map(TypesAndValuesIT::sortedDistinct))
                        .as("scan of " + type).expectNext(expected).expectComplete().verify(WAIT);
                StepVerifier.create(scanPath.scanner.fetchKeys("tv:*", type)).as("SCAN fetchKeys of " + type)
                        .expectNext(expected).expectComplete().verify(WAIT);
                StepVerifier.create(keysPath.scanner.fetchKeys("tv:*", type)).as("KEYS fetchKeys of " + type)
                        .expectNext(expected).expectComplete().verify(WAIT);
            }
            // a literal pattern: EXISTS, then TYPE
            StepVerifier.create(scanPath.scanner.fetchKeys("tv:00007:z", KeyType.ZSET)).expectNext(List.of("tv:00007:z"))
                    .expectComplete().verify(WAIT);
            StepVerifier.create(scanPath.scanner.fetchKeys("tv:00007:z", KeyType.HASH)).expectNext(List.of())
                    .expectComplete().verify(WAIT);
        }
    }

    @Test
    void theServerFiltersFromTheFirstPageOn() {
        KeyScanOptions options = KeyScanOptions.builder().useScan(true).scanCountAutoTune(false).scanCount(100)
                .scanParallelism(1).build();
        try (ScannerFixture fixture = new ScannerFixture(redis, options)) {
            redis.resetStats();
            StepVerifier.create(fixture.scanner.fetchKeys("tv:*", KeyType.HASH)).expectNext(byType.get(KeyType.HASH))
                    .expectComplete().verify(WAIT);
            fixture.settle();
        }
        // Every SCAN carries TYPE, SCAN 0 too: no key is checked with a TYPE call (checking all 21,500 keys would
        // take 21,500 of them).
        assertThat(redis.commandStats("type").calls()).isZero();
        assertThat(redis.commandStats("scan").calls()).isGreaterThan(100L);
    }

    @Test
    void valuesOfStringsOnlyOnBothPathsSortedWhenCollected() {
        List<KeyValue> expected = new ArrayList<>();
        for (String key : sortedDistinct(byType.get(KeyType.STRING))) {
            expected.add(KeyValue.of(key, strings.get(key)));
        }
        for (KeyScanOptions options : List.of(KeyScanOptions.defaults(),
                KeyScanOptions.builder().useScan(true).build())) {
            try (ScannerFixture fixture = new ScannerFixture(redis, options)) {
                redis.resetStats();
                StepVerifier.create(fixture.scanner.fetchValues("tv:*")).as("useScan " + options.useScan())
                        .expectNext(expected).expectComplete().verify(WAIT);
                fixture.settle();
                long mgets = redis.commandStats("mget").calls();
                assertThat(mgets).as("MGET batches of 500 for 21,500 keys").isBetween(43L, 60L);
                StepVerifier.create(fixture.scanner.scanValues("tv:*").collectList().map(TypesAndValuesIT::byKey))
                        .expectNext(expected).expectComplete().verify(WAIT);
            }
        }
    }

    @Test
    void keysThatVanishBeforeTheirMgetAreSkipped() {
        KeyScanOptions options = KeyScanOptions.builder().useScan(true).build();
        List<KeyValue> seen = new ArrayList<>();
        try (ScannerFixture fixture = new ScannerFixture(redis, options)) {
            StepVerifier.create(fixture.scanner.scanValues("tv:*"), 0)
                    .thenRequest(1)
                    .consumeNextWith(seen::add)
                    .then(() -> {
                        // every string key goes away while the scan has read only a few batches
                        List<String> all = byType.get(KeyType.STRING);
                        for (int from = 0; from < all.size(); from += 1000) {
                            redis.admin().del(all.subList(from, Math.min(all.size(), from + 1000)).toArray(String[]::new));
                        }
                    })
                    .thenRequest(Long.MAX_VALUE)
                    .thenConsumeWhile(pair -> seen.add(pair))
                    .expectComplete()
                    .verify(WAIT);
        }
        assertThat(seen).isNotEmpty().hasSizeLessThan(STRINGS / 2)
                .allSatisfy(pair -> assertThat(pair.value()).isEqualTo(strings.get(pair.key())));
    }
}
