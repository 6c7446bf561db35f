package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanOptions;
import io.keyscan.testkit.RailsPerformanceDataset;
import io.keyscan.testkit.RedisExtension;
import io.keyscan.testkit.RedisServer;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

/**
 * Demand drives SCAN: counted by the server (INFO commandstats), not by the client. COUNT is fixed here so the
 * pages are the ones a plain SCAN walk sees.
 */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemandIT {

    private static final int KEYS = 10_000;
    private static final int COUNT = 100;
    private static final KeyScanOptions OPTIONS = KeyScanOptions.builder()
            .useScan(true).scanCountAutoTune(false).scanCount(COUNT).build();

    private final RedisServer redis;
    private List<Integer> pageSizes;

    DemandIT(RedisServer redis) {
        this.redis = redis;
    }

    @BeforeAll
    void load() {
        redis.flushAll();
        RailsPerformanceDataset.generate(KEYS, 7).load(redis);
        // The page sizes a plain SCAN walk with the same COUNT sees over this keyspace. Loading may leave the
        // table mid-rehash, which changes page sizes as it progresses: walk until two walks agree.
        List<Integer> previous = List.of();
        pageSizes = referenceWalk();
        for (int walk = 0; walk < 50 && !pageSizes.equals(previous); walk++) {
            previous = pageSizes;
            pageSizes = referenceWalk();
        }
        assertThat(pageSizes).as("reference walks agree").isEqualTo(previous);
    }

    private List<Integer> referenceWalk() {
        List<Integer> sizes = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis.admin().scan(cursor, ScanArgs.Builder.limit(COUNT).match("*"));
            sizes.add(page.getKeys().size());
            cursor = page;
        } while (!cursor.isFinished());
        return sizes;
    }

    @BeforeEach
    void resetStats() {
        redis.resetStats();
    }

    /** How many pages a walk needs to deliver {@code keys} keys. */
    private int pagesFor(long keys) {
        long delivered = 0;
        int pages = 0;
        while (delivered < keys && pages < pageSizes.size()) {
            delivered += pageSizes.get(pages++);
        }
        return pages;
    }

    private long scanCalls(ScannerFixture fixture) {
        fixture.settle();
        return redis.commandStats("scan").calls();
    }

    @Test
    void scanCallsFollowDemandWithinOnePage() {
        try (ScannerFixture fixture = new ScannerFixture(redis, OPTIONS)) {
            long[] requested = {0};
            StepVerifier.Step<String> steps = StepVerifier.create(fixture.scanner.scan("*"), 0)
                    .expectSubscription()
                    .then(() -> assertThat(scanCalls(fixture)).as("nothing requested, nothing sent").isZero());
            for (int n : new int[] {1, 1, 98, 150, 1, 2_000, 3_000}) {
                steps = steps.thenRequest(n)
                        .expectNextCount(n)
                        .then(() -> {
                            requested[0] += n;
                            long calls = scanCalls(fixture);
                            int needed = pagesFor(requested[0]);
                            assertThat(calls).as("SCAN calls after %d keys requested", requested[0])
                                    .isBetween((long) Math.max(1, needed - 1), (long) needed + 1);
                        });
            }
            steps.thenCancel().verify(Duration.ofSeconds(30));
        }
    }

    @Test
    void oneKeyRequestedMeansOneScanCall() {
        try (ScannerFixture fixture = new ScannerFixture(redis, OPTIONS)) {
            StepVerifier.create(fixture.scanner.scan("*"), 0)
                    .thenRequest(1)
                    .expectNextCount(1)
                    .then(() -> assertThat(scanCalls(fixture)).isEqualTo(1))
                    .thenCancel()
                    .verify(Duration.ofSeconds(30));
        }
    }

    @Test
    void takeStopsTheScan() {
        try (ScannerFixture fixture = new ScannerFixture(redis, OPTIONS)) {
            StepVerifier.create(fixture.scanner.scan("*").take(250))
                    .expectNextCount(250)
                    .verifyComplete();
            long calls = scanCalls(fixture);
            assertThat(calls).isBetween(1L, (long) pagesFor(250) + 1);
            // More round trips on the same connection: still no further SCAN.
            fixture.settle();
            assertThat(scanCalls(fixture)).isEqualTo(calls);
            assertThat(calls).isLessThan(pageSizes.size());
        }
    }

    @Test
    void cancelStopsTheScan() {
        try (ScannerFixture fixture = new ScannerFixture(redis, OPTIONS)) {
            StepVerifier.create(fixture.scanner.scan("*"), 0)
                    .thenRequest(500)
                    .expectNextCount(500)
                    .thenCancel()
                    .verify(Duration.ofSeconds(30));
            long calls = scanCalls(fixture);
            fixture.settle();
            assertThat(scanCalls(fixture)).isEqualTo(calls).isLessThanOrEqualTo(pagesFor(500) + 1);
        }
    }

    @Test
    void unboundedDemandWalksTheWholeKeyspaceOnce() {
        try (ScannerFixture fixture = new ScannerFixture(redis, OPTIONS)) {
            StepVerifier.create(fixture.scanner.scan("*"))
                    .expectNextCount(KEYS)
                    .verifyComplete();
            assertThat(scanCalls(fixture)).isEqualTo(pageSizes.size());
        }
    }
}
