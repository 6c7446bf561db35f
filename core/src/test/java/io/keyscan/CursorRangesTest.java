package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.testkit.LogCapture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** Cursor ranges over a table scanned as Redis scans it. */
class CursorRangesTest {

    private static final KeyScanOptions RANGES = KeyScanOptions.builder().useScan(true).scanCountAutoTune(false)
            .scanCount(10).scanParallelism(4).build();

    private static List<String> keys(int count) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            keys.add(String.format("key:%05d", i));
        }
        return keys;
    }

    private static DefaultKeyScanner scanner(io.keyscan.spi.ScanNode node, KeyScanOptions options) {
        return new DefaultKeyScanner(new ScriptedKeyspace(node), options, () -> 0.5);
    }

    @Test
    void fourRangesTogetherReturnEveryKeyOfTheTable() {
        List<String> keys = keys(5000);
        TableNode node = new TableNode(10, keys, 1);

        StepVerifier.create(scanner(node, RANGES).fetchKeys("*"))
                .expectNext(keys)
                .verifyComplete();
        // after the first page (cursor 0), ranges 2-4 start at reverse(i * 2^62): cursors 2, 1 and 3
        assertThat(node.sent.subList(0, 1)).containsExactly("0");
        assertThat(node.sent).contains("2", "1", "3");
        // every bucket visited once: 1024 buckets / 10 per call, give or take a call per range boundary
        assertThat(node.sent.size()).isBetween(103, 107);
    }

    @Test
    void eachRangeStopsAtItsBoundaryInsteadOfWalkingTheRestOfTheTable() {
        List<String> keys = keys(5000);
        TableNode node = new TableNode(10, keys, 2);
        KeyScanOptions one = RANGES.mutate().scanParallelism(1).build();

        StepVerifier.create(scanner(node, one).fetchKeys("*")).expectNext(keys).verifyComplete();
        int sequentialCalls = node.sent.size();
        node.sent.clear();
        StepVerifier.create(scanner(node, RANGES).fetchKeys("*")).expectNext(keys).verifyComplete();
        assertThat(node.sent.size()).isLessThanOrEqualTo(sequentialCalls + 4);
    }

    @Test
    void powersOfTwoOnly() {
        List<String> keys = keys(3000);
        TableNode node = new TableNode(10, keys, 3);

        StepVerifier.create(scanner(node, RANGES.mutate().scanParallelism(3).build()).fetchKeys("*"))
                .expectNext(keys)
                .verifyComplete();
        assertThat(node.sent).contains("1").doesNotContain("2", "3"); // two ranges: reverse(2^63) = 1
    }

    @Test
    void aSmallTableIsNotSplit() {
        List<String> keys = keys(100);
        TableNode node = new TableNode(4, keys, 4);

        StepVerifier.create(scanner(node, RANGES).fetchKeys("*")).expectNext(keys).verifyComplete();
        assertThat(new HashSet<>(node.sent)).hasSize(node.sent.size()); // one chain of cursors
        assertThat(node.sent).hasSize(2); // 16 buckets, 10 a call
    }

    @Test
    void otherServersAndClusterModeGetOneCursor() {
        List<String> keys = keys(2000);
        TableNode dragonfly = new TableNode(10, keys, 5).product("dragonfly");

        StepVerifier.create(scanner(dragonfly, RANGES).fetchKeys("*")).expectNext(keys).verifyComplete();
        assertThat(dragonfly.sent).doesNotContain("2", "3").hasSize(103);
        assertThat(NodeIteration.allowsCursorRanges(io.keyscan.spi.ServerInfo.of("r", "redis", "7.4.0", "cluster")))
                .isFalse();
        assertThat(NodeIteration.allowsCursorRanges(io.keyscan.spi.ServerInfo.of("r", "valkey", "9.1.2", "cluster")))
                .isFalse();
        assertThat(NodeIteration.allowsCursorRanges(io.keyscan.spi.ServerInfo.of("r", "redis", "7.0.15",
                "standalone"))).isTrue();
    }

    @Test
    void valkeyInStandaloneModeGetsCursorRanges() {
        // Valkey 8.0's dict and 8.1+'s hashtable both step the cursor with the reversed-bit increment
        List<String> keys = keys(2000);
        TableNode valkey = new TableNode(10, keys, 5).product("valkey");

        StepVerifier.create(scanner(valkey, RANGES).fetchKeys("*")).expectNext(keys).verifyComplete();
        assertThat(NodeIteration.allowsCursorRanges(io.keyscan.spi.ServerInfo.of("r", "valkey", "8.0.1",
                "standalone"))).isTrue();
        assertThat(valkey.sent).as("more than one cursor").hasSizeGreaterThan(103);
    }

    @Test
    void scanFollowsDemandWithOneCursor() {
        List<String> keys = keys(2000);
        TableNode node = new TableNode(10, keys, 6);

        StepVerifier.create(scanner(node, RANGES).scan("*").collectList())
                .assertNext(listed -> assertThat(listed).hasSameElementsAs(keys))
                .verifyComplete();
        assertThat(node.sent).doesNotContain("2", "3").hasSize(103);
    }

    @Test
    void autoTuningUsesFourRangesWhereAllowed() {
        List<String> keys = keys(20_000);
        TableNode node = new TableNode(14, keys, 7);
        KeyScanOptions auto = KeyScanOptions.builder().useScan(true).build();

        StepVerifier.create(scanner(node, auto).fetchKeys("*")).expectNext(keys).verifyComplete();
        assertThat(node.sent).contains("2", "1", "3");
    }

    @Test
    void aServerChangeRestartsEveryRangeIncludingFinishedOnes() {
        // After 80 calls most ranges are done; then the server restarts: a new process with the same keys but
        // its own hash seed, so every key sits in another bucket. Ranges finished on the old process must be
        // walked again, or the keys that moved into them are lost.
        List<String> keys = keys(5000);
        TableNode before = new TableNode(10, keys, 8);
        TableNode after = new TableNode(10, keys, 88).runId("table-2");
        after.epoch.set(1);
        AtomicInteger calls = new AtomicInteger();
        SwitchingNode node = new SwitchingNode(before, after, () -> calls.incrementAndGet() > 80);

        StepVerifier.create(scanner(node, RANGES).fetchKeys("*"))
                .expectNext(keys)
                .verifyComplete();
        assertThat(after.sent).as("every range starts again on the new process").contains("0", "2", "1", "3");
        assertThat(after.sent.size()).isGreaterThan(100);
    }

    @Test
    void theTableGrowingMidScanLosesNothingAcrossRanges() {
        // A table of 2^9 buckets scanned to the middle, then the same keys in 2^11 buckets (a resize):
        // every key is still found, as with one cursor.
        List<String> keys = keys(4000);
        TableNode small = new TableNode(9, keys, 9);
        TableNode large = new TableNode(11, keys, 9);
        AtomicInteger calls = new AtomicInteger();
        SwitchingNode node = new SwitchingNode(small, large, () -> calls.incrementAndGet() > 20);

        StepVerifier.create(scanner(node, RANGES).fetchKeys("*"))
                .expectNext(keys)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void autoTuningAddsRangesWhenTheRoundTripWouldLeaveTheServerIdle() {
        // the clock moves 1 ms between any two readings: every round trip seen is 1 ms, more than a 4-range
        // rotation can hide (1.5 ms / 4 + 1 ms > half of 1.5 ms). 2^16 buckets: the first page of 1,000 is less
        // than a quarter of a sixteenth of the table, so it is cut.
        AtomicLong clock = new AtomicLong();
        List<String> keys = keys(5000);
        KeyScanOptions auto = KeyScanOptions.builder().useScan(true).build();

        try (LogCapture logs = LogCapture.keyscan()) {
            StepVerifier.create(new DefaultKeyScanner(new ScriptedKeyspace(new TableNode(16, keys, 11)), auto,
                            () -> 0.5, () -> clock.addAndGet(1_000_000)).fetchKeys("*"))
                    .expectNext(keys)
                    .verifyComplete();
            assertThat(logs.messages()).anyMatch(line -> line.contains("with 16 cursor ranges (round trip 1.000 ms)"));
        }
    }

    @Test
    void theShortestRoundTripOfTheScannersListingsCounts() {
        // the first listing sees 1 ms round trips, the second none at all (a loaded machine, then a quiet one),
        // the third 1 ms again: the scanner goes by the shortest it has seen
        AtomicLong step = new AtomicLong(1_000_000);
        AtomicLong clock = new AtomicLong();
        List<String> keys = keys(5000);
        DefaultKeyScanner scanner = new DefaultKeyScanner(new ScriptedKeyspace(new TableNode(16, keys, 13)),
                KeyScanOptions.builder().useScan(true).build(), () -> 0.5, () -> clock.addAndGet(step.get()));

        try (LogCapture logs = LogCapture.keyscan()) {
            StepVerifier.create(scanner.fetchKeys("*")).expectNext(keys).verifyComplete();
            step.set(0);
            StepVerifier.create(scanner.fetchKeys("*")).expectNext(keys).verifyComplete();
            step.set(1_000_000);
            StepVerifier.create(scanner.fetchKeys("*")).expectNext(keys).verifyComplete();
            assertThat(logs.messages().stream().filter(line -> line.contains("cursor ranges")).toList())
                    .hasSize(3)
                    .satisfiesExactly(
                            first -> assertThat(first).contains("with 16 cursor ranges (round trip 1.000 ms)"),
                            second -> assertThat(second).contains("with 4 cursor ranges (round trip 0.000 ms)"),
                            third -> assertThat(third).contains("with 4 cursor ranges (round trip 0.000 ms)"));
        }
    }

    @Test
    void autoTuningKeepsFourRangesOverAShortRoundTrip() {
        List<String> keys = keys(5000);
        KeyScanOptions auto = KeyScanOptions.builder().useScan(true).build();

        try (LogCapture logs = LogCapture.keyscan()) {
            StepVerifier.create(new DefaultKeyScanner(new ScriptedKeyspace(new TableNode(16, keys, 12)), auto,
                            () -> 0.5, () -> 0L).fetchKeys("*"))
                    .expectNext(keys)
                    .verifyComplete();
            assertThat(logs.messages()).anyMatch(line -> line.contains("with 4 cursor ranges (round trip 0.000 ms)"));
        }
    }

    @Test
    void theRangesForARoundTripFillHalfTheRotation() {
        Duration budget = KeyScanOptions.DEFAULT_SCAN_CALL_BUDGET; // rotation 1.5 ms, of which 0.75 ms to fill
        assertThat(DefaultKeyScanner.autoParallelism(-1, budget)).as("not measured").isEqualTo(4);
        assertThat(DefaultKeyScanner.autoParallelism(0, budget)).isEqualTo(4);
        assertThat(DefaultKeyScanner.autoParallelism(375_000, budget)).isEqualTo(4); // 0.375 + 0.375
        assertThat(DefaultKeyScanner.autoParallelism(375_001, budget)).isEqualTo(8);
        assertThat(DefaultKeyScanner.autoParallelism(562_500, budget)).isEqualTo(8); // 0.1875 + 0.5625
        assertThat(DefaultKeyScanner.autoParallelism(562_501, budget)).isEqualTo(16);
        assertThat(DefaultKeyScanner.autoParallelism(50_000_000, budget)).as("network-bound").isEqualTo(16);
        // a larger budget hides a longer round trip with the same ranges: 7.5 ms / 4 + 1.875 ms <= 3.75 ms
        assertThat(DefaultKeyScanner.autoParallelism(1_875_000, Duration.ofMillis(10))).isEqualTo(4);
    }
}
