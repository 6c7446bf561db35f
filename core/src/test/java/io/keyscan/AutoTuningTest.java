package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.spi.ScanRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The COUNT the engine sends over a scripted server that reports, like INFO commandstats, a fixed server time
 * per COUNT unit: the tuner must settle where one call takes three quarters of the 2 ms budget. The server time
 * is read with the first page and then every {@value ScanTimeSampler#READ_EVERY} calls.
 */
class AutoTuningTest {

    private static List<List<String>> pages(int count) {
        List<List<String>> pages = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            pages.add(List.of("k" + p));
        }
        return pages;
    }

    private static List<Integer> countsSent(ScriptedNode node) {
        List<Integer> counts = new ArrayList<>();
        for (ScanRequest request : node.scans) {
            counts.add(request.count());
        }
        return counts;
    }

    private static DefaultKeyScanner scanner(ScriptedNode node, KeyScanOptions options) {
        return new DefaultKeyScanner(new ScriptedKeyspace(node), options, () -> 0.5);
    }

    @Test
    void aSlowServerGetsSmallerCallsUntilEachTakesThreeQuartersOfTheBudget() {
        // 2 us a COUNT unit: the lookup class' 1400 take 2.8 ms, over the budget
        ScriptedNode node = new ScriptedNode().pages(pages(30)).costPerCount(Duration.ofNanos(2_000));

        StepVerifier.create(scanner(node, KeyScanOptions.builder().useScan(true).build())
                        .fetchKeys("performance|*|request_id|182c77e786a6a04b000003ca|*"))
                .expectNextCount(1)
                .verifyComplete();
        List<Integer> counts = countsSent(node);
        // the first reading goes with the 9th call; from the 10th on: 1.5 ms / 2 us = 750, at once (over budget)
        assertThat(counts.subList(0, 9)).containsOnly(1400);
        assertThat(counts.subList(9, counts.size())).containsOnly(750);
        assertThat(node.scanMicrosReadings()).isEqualTo(1 + (30 - 1) / ScanTimeSampler.READ_EVERY);
    }

    @Test
    void aFastServerGetsLargerCallsDoublingUpToTheMaximum() {
        // 0.1 us a COUNT unit: the ideal 15,000 is beyond the maximum of 10,000
        ScriptedNode node = new ScriptedNode().pages(pages(40)).costPerCount(Duration.ofNanos(100));

        StepVerifier.create(scanner(node, KeyScanOptions.builder().useScan(true).build())
                        .fetchKeys("performance|controller|UsersController|*"))
                .expectNextCount(1)
                .verifyComplete();
        List<Integer> counts = countsSent(node);
        assertThat(counts.subList(0, 9)).containsOnly(2000);
        for (int i = 1; i < counts.size(); i++) {
            assertThat(counts.get(i)).as("call %d grows at most twofold", i).isBetween(counts.get(i - 1),
                    counts.get(i - 1) * 2);
        }
        assertThat(counts.get(counts.size() - 1)).isEqualTo(10_000);
    }

    @Test
    void theBudgetAndBoundsAreOptions() {
        ScriptedNode node = new ScriptedNode().pages(pages(30)).costPerCount(Duration.ofNanos(1_000));
        KeyScanOptions options = KeyScanOptions.builder().useScan(true).scanCallBudget(Duration.ofMillis(8))
                .scanCountMax(5000).build();

        StepVerifier.create(scanner(node, options).fetchKeys("*")).expectNextCount(1).verifyComplete();
        // target 6 ms at 1 us: 6000, capped at 5000
        assertThat(countsSent(node)).endsWith(5000).allMatch(count -> count <= 5000);
    }

    @Test
    void withAutoTuningOffNothingIsMeasured() {
        ScriptedNode node = new ScriptedNode().pages(pages(20)).costPerCount(Duration.ofNanos(2_000));

        StepVerifier.create(scanner(node, KeyScanOptions.builder().useScan(true).scanCountAutoTune(false)
                .scanCount(300).build()).fetchKeys("*")).expectNextCount(1).verifyComplete();
        assertThat(countsSent(node)).containsOnly(300);
        assertThat(node.scanMicrosReadings()).isZero();
    }

    @Test
    void literalPatternsAreOneExistsOnBothPaths() {
        for (KeyScanOptions options : List.of(KeyScanOptions.defaults(), KeyScanOptions.builder().useScan(true).build())) {
            ScriptedNode node = new ScriptedNode().keysReply(Mono.error(new AssertionError("no KEYS")));
            node.existing.add("user:1");
            node.existing.add("odd*key");
            DefaultKeyScanner scanner = scanner(node, options);

            StepVerifier.create(scanner.fetchKeys("user:1")).expectNext(List.of("user:1")).verifyComplete();
            StepVerifier.create(scanner.fetchKeys("user:2")).expectNext(List.of()).verifyComplete();
            StepVerifier.create(scanner.fetchKeys(Patterns.escape("odd*key"))).expectNext(List.of("odd*key"))
                    .verifyComplete();
            StepVerifier.create(scanner.scan("user:1")).expectNext("user:1").verifyComplete();
            StepVerifier.create(scanner.fetchKeyBytes("user:2")).expectNext(List.of()).verifyComplete();
            assertThat(node.existsCalls).hasValue(5);
            assertThat(node.scans).isEmpty();
            assertThat(node.keysCalls).hasValue(0);
        }
    }

    @Test
    void literalKeyIsThePatternWithoutItsEscapes() {
        assertThat(Patterns.literalKey("a\\*b\\\\c\\?")).isEqualTo("a*b\\c?");
        assertThat(Patterns.literalKey("trailing\\")).isEqualTo("trailing\\");
        assertThat(Patterns.literalKey(Patterns.escape("[x]*?\\"))).isEqualTo("[x]*?\\");
    }
}
