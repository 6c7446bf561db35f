package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanOptions;
import io.keyscan.testkit.RailsPerformanceDataset;
import io.keyscan.testkit.RedisExtension;
import io.keyscan.testkit.RedisServer;
import io.keyscan.testkit.SlowlogEntry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

/**
 * The critical test: over 200,000 keys, KEYS holds the server long enough to enter the slow log above 50 ms,
 * while no single SCAN call of a complete listing does. Server-side measurements with wide margins (KEYS takes
 * roughly 200 ms here, one auto-tuned SCAN call about 2 ms), not wall-clock races.
 */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NonBlockingIT {

    private static final int KEYS = 200_000;
    private static final long THRESHOLD_MICROS = 50_000; // a descheduled server on a loaded 2-core machine took 31 ms

    private final RedisServer redis;
    private String originalThreshold;

    NonBlockingIT(RedisServer redis) {
        this.redis = redis;
    }

    @BeforeAll
    void load() {
        redis.flushAll();
        RailsPerformanceDataset.generate(KEYS, 200).load(redis);
        originalThreshold = redis.admin().configGet("slowlog-log-slower-than").get("slowlog-log-slower-than");
        redis.admin().configSet("slowlog-log-slower-than", Long.toString(THRESHOLD_MICROS));
    }

    @AfterAll
    void restore() {
        redis.admin().configSet("slowlog-log-slower-than", originalThreshold);
        redis.flushAll();
    }

    @Test
    void keysBlocksTheServer() {
        redis.resetStats();
        try (ScannerFixture fixture = new ScannerFixture(redis, KeyScanOptions.defaults())) {
            StepVerifier.create(fixture.scanner.fetchKeys("*"))
                    .assertNext(keys -> assertThat(keys).hasSize(KEYS))
                    .verifyComplete();
        }
        List<SlowlogEntry> slow = redis.slowlog();
        assertThat(slow).filteredOn(entry -> entry.command().equals("KEYS"))
                .as("KEYS over %d keys in the slow log above %d us", KEYS, THRESHOLD_MICROS)
                .hasSize(1)
                .allSatisfy(entry -> assertThat(entry.micros()).isGreaterThan(THRESHOLD_MICROS));
    }

    /**
     * The bound scales with how slow the machine is right now: a quarter of what one KEYS over the same keys holds
     * the server, measured just before (at least 50 ms). On a 2-core machine loaded 10 times over, a descheduled
     * server makes a 2 ms SCAN call last 60-80 ms, and the same load makes KEYS last seconds.
     */
    @Test
    void noScanCallOfAFullListingBlocksTheServer() {
        redis.resetStats();
        redis.admin().configSet("slowlog-log-slower-than", "0");
        redis.admin().keys("*");
        long keysMicros = redis.slowlog().stream().filter(entry -> entry.command().equals("KEYS"))
                .mapToLong(SlowlogEntry::micros).max().orElseThrow();
        long threshold = Math.max(THRESHOLD_MICROS, keysMicros / 4);
        redis.admin().configSet("slowlog-log-slower-than", Long.toString(threshold));
        redis.resetStats();
        try (ScannerFixture fixture = new ScannerFixture(redis, KeyScanOptions.builder().useScan(true).build())) {
            StepVerifier.create(fixture.scanner.fetchKeys("*"))
                    .assertNext(keys -> assertThat(keys).hasSize(KEYS))
                    .expectComplete()
                    .verify(Duration.ofSeconds(60));
            StepVerifier.create(fixture.scanner.fetchKeys(RailsPerformanceDataset.dateQuery("20260203")))
                    .assertNext(keys -> assertThat(keys).isNotEmpty())
                    .expectComplete()
                    .verify(Duration.ofSeconds(60));
        }
        assertThat(redis.commandStats("scan").calls()).as("a full listing is many SCAN calls").isGreaterThan(100);
        assertThat(redis.slowlog()).filteredOn(entry -> entry.command().equals("SCAN"))
                .as("SCAN calls slower than %d us (a quarter of KEYS' %d us)", threshold, keysMicros)
                .isEmpty();
        redis.admin().configSet("slowlog-log-slower-than", Long.toString(THRESHOLD_MICROS));
    }
}
