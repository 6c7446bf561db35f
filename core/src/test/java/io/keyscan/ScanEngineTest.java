package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.keyscan.spi.ScanPage;
import io.keyscan.testkit.LogCapture;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The engine over scripted pages: demand, cancellation, coldness, ordering. */
class ScanEngineTest {

    private static final KeyScanOptions SCAN = KeyScanOptions.builder().useScan(true).build();

    private static DefaultKeyScanner scanner(ScriptedNode node, KeyScanOptions options) {
        return new DefaultKeyScanner(new ScriptedKeyspace(node), options, () -> 0.5);
    }

    @Test
    void theSpiEntryPointBuildsTheEngineAndClosesTheKeyspaceWithIt() {
        ScriptedNode node = new ScriptedNode().pages(List.of(List.of("b", "a")));
        ScriptedKeyspace keyspace = new ScriptedKeyspace(node);
        KeyScanner scanner = io.keyscan.spi.KeyScanEngine.create(keyspace, SCAN);

        StepVerifier.create(scanner.fetchKeys("*")).expectNext(List.of("a", "b")).verifyComplete();
        scanner.close();
        assertThat(keyspace.closed.get()).isTrue();
        assertThatNullPointerException().isThrownBy(() -> io.keyscan.spi.KeyScanEngine.create(null, SCAN))
                .withMessage("keyspace must not be null");
        assertThatNullPointerException().isThrownBy(() -> io.keyscan.spi.KeyScanEngine.create(keyspace, null))
                .withMessage("options must not be null");
    }

    @Test
    void sendsNothingUntilRequested() {
        ScriptedNode node = new ScriptedNode().pages(List.of(List.of("a", "b"), List.of("c")));

        StepVerifier.create(scanner(node, SCAN).scan("*"), 0)
                .expectSubscription()
                .then(() -> assertThat(node.scans).isEmpty())
                .thenRequest(1)
                .expectNext("a")
                .then(() -> assertThat(node.cursorsSent()).containsExactly("0"))
                .thenRequest(1)
                .expectNext("b")
                .then(() -> assertThat(node.cursorsSent()).as("page 1 still had a key").containsExactly("0"))
                .thenRequest(1)
                .expectNext("c")
                .then(() -> assertThat(node.cursorsSent()).containsExactly("0", "101"))
                .thenRequest(1)
                .verifyComplete();
    }

    @Test
    void readsAtMostOnePageAheadOfDemand() {
        List<List<String>> pages = new ArrayList<>();
        for (int p = 0; p < 20; p++) {
            List<String> page = new ArrayList<>();
            for (int k = 0; k < 10; k++) {
                page.add("key:" + p + ":" + k);
            }
            pages.add(page);
        }
        ScriptedNode node = new ScriptedNode().pages(pages);

        StepVerifier.create(scanner(node, SCAN).scan("*"), 0)
                .thenRequest(25)
                .expectNextCount(25)
                .then(() -> assertThat(node.scans).as("25 keys need 3 pages of 10").hasSize(3))
                .thenRequest(5)
                .expectNextCount(5)
                .then(() -> assertThat(node.scans).as("the third page covers keys 21-30").hasSize(3))
                .thenRequest(1)
                .expectNextCount(1)
                .then(() -> assertThat(node.scans).hasSize(4))
                .thenCancel()
                .verify();
    }

    @Test
    void emptyPagesDoNotEndTheStream() {
        ScriptedNode node = new ScriptedNode().pages(List.of(List.of(), List.of(), List.of(), List.of("x"),
                List.of(), List.of()));

        StepVerifier.create(scanner(node, SCAN).scan("x*"))
                .expectNext("x")
                .verifyComplete();
        assertThat(node.scans).hasSize(6);
    }

    @Test
    void noScanAfterCancellation() {
        ScriptedNode node = new ScriptedNode().pages(List.of(List.of("a", "b", "c"), List.of("d", "e"), List.of("f")));

        StepVerifier.create(scanner(node, SCAN).scan("*").take(4), 0)
                .thenRequest(Long.MAX_VALUE)
                .expectNext("a", "b", "c", "d")
                .verifyComplete();
        assertThat(node.cursorsSent()).containsExactly("0", "101");
    }

    @Test
    void cancellingCancelsTheCallInFlight() {
        ScriptedNode node = new ScriptedNode().pages(List.of(List.of("a"), List.of("b")))
                .thenReply(request -> Mono.never());

        StepVerifier.create(scanner(node, SCAN).scan("*"))
                .expectSubscription()
                .then(() -> assertThat(node.scans).hasSize(1))
                .thenCancel()
                .verify();
        assertThat(node.cancelledScans).hasValue(1);
        assertThat(node.scans).hasSize(1);
    }

    @Test
    void eachSubscriptionStartsAtCursorZero() {
        ScriptedNode node = new ScriptedNode().pages(List.of(List.of("a"), List.of("b")));
        Flux<String> scan = scanner(node, SCAN).scan("*");

        StepVerifier.create(scan).expectNext("a", "b").verifyComplete();
        StepVerifier.create(scan).expectNext("a", "b").verifyComplete();
        assertThat(node.cursorsSent()).containsExactly("0", "101", "0", "101");
    }

    @Test
    void scanEmitsEachKeyOnce() {
        ScriptedNode node = new ScriptedNode().pages(List.of(List.of("a", "b"), List.of("b", "c"), List.of("a")));

        StepVerifier.create(scanner(node, SCAN).scan("*"))
                .expectNext("a", "b", "c")
                .verifyComplete();
    }

    @Test
    void withoutDistinctScanKeysComeAsTheServerSendsThem() {
        ScriptedNode node = new ScriptedNode().pages(List.of(List.of("a", "b"), List.of("b", "c"), List.of("a")));

        StepVerifier.create(scanner(node, SCAN.mutate().distinctScan(false).build()).scan("*"))
                .expectNext("a", "b", "b", "c", "a")
                .verifyComplete();
    }

    @Test
    void fetchKeysIsSortedAndDistinctOnBothPaths() {
        ScriptedNode node = new ScriptedNode()
                .pages(List.of(List.of("b", "a"), List.of("c", "a"), List.of("b")))
                .keysReply(Mono.just(ScriptedNode.bytes(List.of("c", "b", "a"))));

        StepVerifier.create(scanner(node, SCAN).fetchKeys("*"))
                .expectNext(List.of("a", "b", "c"))
                .verifyComplete();
        StepVerifier.create(scanner(node, KeyScanOptions.defaults()).fetchKeys("*"))
                .expectNext(List.of("a", "b", "c"))
                .verifyComplete();
        assertThat(node.keysCalls).hasValue(1);
    }

    @Test
    void autoTuneOffSendsExactlyScanCount() {
        ScriptedNode node = new ScriptedNode().pages(List.of(List.of("a"), List.of("b"), List.of("c")));
        KeyScanOptions fixed = SCAN.mutate().scanCountAutoTune(false).scanCount(37).build();

        StepVerifier.create(scanner(node, fixed).scan("*")).expectNextCount(3).verifyComplete();
        assertThat(node.scans).extracting(request -> request.count()).containsExactly(37, 37, 37);
    }

    @Test
    void autoTuneOnDoesNotSendTheDefaultCountOfTen() {
        ScriptedNode node = new ScriptedNode().pages(List.of(List.of("a"), List.of("b")));

        StepVerifier.create(scanner(node, SCAN).scan("*")).expectNextCount(2).verifyComplete();
        assertThat(node.scans).extracting(request -> request.count()).allMatch(count -> count > 10);
    }

    @Test
    void keysLogsTheDeprecationOncePerScanner() {
        ScriptedNode node = new ScriptedNode().keysReply(Mono.just(ScriptedNode.bytes(List.of("k"))));
        DefaultKeyScanner scanner = scanner(node, KeyScanOptions.defaults());
        try (LogCapture logs = LogCapture.keyscan()) {
            Mono<List<String>> keys = scanner.keys("*");
            assertThat(logs.warnings()).as("nothing happens before subscription").isEmpty();

            StepVerifier.create(keys).expectNext(List.of("k")).verifyComplete();
            StepVerifier.create(scanner.fetchKeys("*")).expectNext(List.of("k")).verifyComplete();
            StepVerifier.create(scanner.keys("*")).expectNext(List.of("k")).verifyComplete();

            assertThat(logs.warnings()).filteredOn(line -> line.startsWith("[DEPRECATION]")).hasSize(1);
            assertThat(logs.warnings().get(0)).contains("useScan = true");
        }
        DefaultKeyScanner another = scanner(node, KeyScanOptions.defaults());
        try (LogCapture logs = LogCapture.keyscan()) {
            StepVerifier.create(another.keys("*")).expectNextCount(1).verifyComplete();
            assertThat(logs.warnings()).filteredOn(line -> line.startsWith("[DEPRECATION]")).hasSize(1);
        }
    }

    @Test
    void scanPathNeverLogsTheDeprecation() {
        ScriptedNode node = new ScriptedNode().pages(List.of(List.of("a")));
        try (LogCapture logs = LogCapture.keyscan()) {
            StepVerifier.create(scanner(node, SCAN).fetchKeys("*")).expectNext(List.of("a")).verifyComplete();
            StepVerifier.create(scanner(node, SCAN).scan("*")).expectNext("a").verifyComplete();
            assertThat(logs.warnings()).noneMatch(line -> line.contains("DEPRECATION"));
        }
    }

    @Test
    void anAdapterThatCannotTellItsServersFailsTheListingWithAKeyScanException() {
        io.keyscan.spi.RedisKeyspace broken = new ScriptedKeyspace() {
            @Override
            public Mono<List<io.keyscan.spi.ScanNode>> nodes() {
                return Mono.error(new IllegalStateException("topology unavailable"));
            }
        };
        for (KeyScanOptions options : List.of(SCAN, KeyScanOptions.defaults())) {
            DefaultKeyScanner scanner = new DefaultKeyScanner(broken, options, () -> 0.5);
            StepVerifier.create(scanner.fetchKeys("user:*"))
                    .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                            .hasMessageContaining("Looking up the servers of pattern 'user:*'")
                            .hasMessageContaining("topology unavailable"))
                    .verify(Duration.ofSeconds(5));
        }
    }

    @Test
    void nullPatternIsRejectedAtCallTime() {
        DefaultKeyScanner scanner = scanner(new ScriptedNode(), SCAN);
        assertThatNullPointerException().isThrownBy(() -> scanner.scan(null))
                .withMessageContaining("pattern");
        assertThatNullPointerException().isThrownBy(() -> scanner.keys(null));
        assertThatNullPointerException().isThrownBy(() -> scanner.fetchKeys(null));
    }

    @Test
    void invalidUtf8KeyIsAnErrorNotAChangedKey() {
        ScriptedNode node = new ScriptedNode().thenReply(request -> Mono.just(ScanPage.of("0",
                List.of(new byte[] {'o', 'k'}, new byte[] {'b', (byte) 0xff, 'd'}))));

        StepVerifier.create(scanner(node, SCAN).fetchKeys("*"))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(KeyScanException.class)
                        .hasMessageContaining("\"b\\xffd\"")
                        .hasMessageContaining("not valid UTF-8"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void invalidUtf8KeysAreListedExactlyAsBytes() {
        byte[] binary = {'b', (byte) 0xff, 'd'};
        ScriptedNode node = new ScriptedNode()
                .thenReply(request -> Mono.just(ScanPage.of("101", List.of(binary, new byte[] {'o', 'k'}))))
                .thenReply(request -> Mono.just(ScanPage.of("0", List.of(binary.clone()))))
                .keysReply(Mono.just(List.of(new byte[] {'o', 'k'}, binary.clone())));

        StepVerifier.create(scanner(node, SCAN).scanBytes("*"))
                .expectNextMatches(key -> java.util.Arrays.equals(key, binary))
                .expectNextMatches(key -> java.util.Arrays.equals(key, new byte[] {'o', 'k'}))
                .verifyComplete();
        StepVerifier.create(scanner(node, KeyScanOptions.defaults()).fetchKeyBytes("*"))
                .assertNext(keys -> assertThat(keys).containsExactly(binary, new byte[] {'o', 'k'}))
                .verifyComplete();
    }

    @Test
    void aFailedPageEndsTheStreamWithTheErrorNotWithFewerKeys() {
        ScriptedNode node = new ScriptedNode().pages(List.of(List.of("a"), List.of("b")))
                .thenPage()
                .thenReply(request -> Mono.error(new IllegalArgumentException("ERR syntax error")));

        StepVerifier.create(scanner(node, SCAN).fetchKeys("*"))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(KeyScanException.class)
                        .hasMessageContaining("cursor 101")
                        .hasMessageContaining("ERR syntax error")
                        .hasMessageContaining("not retried"))
                .verify(Duration.ofSeconds(5));
        assertThat(node.scans).hasSize(2);
    }

    @Test
    void aFailingFirstPageIsSignalledAtTheFirstRequest() {
        // Why the TCK's error-state publisher (rules 1.4, 1.9: onError without any request) is not this one.
        ScriptedNode node = new ScriptedNode()
                .thenReply(request -> Mono.error(new IllegalStateException("NOPERM no permissions to run 'scan'")));

        StepVerifier.create(scanner(node, SCAN).scan("*"), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(50))
                .then(() -> assertThat(node.scans).as("nothing is sent before demand").isEmpty())
                .thenRequest(1)
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                        .hasMessageContaining("NOPERM").hasMessageContaining("not retried"))
                .verify(Duration.ofSeconds(5));
        assertThat(node.scans).hasSize(1);
    }

    @Test
    void transientFailureIsRetriedFromTheSameCursor() {
        ScriptedNode node = new ScriptedNode().pages(List.of(List.of("a"), List.of("b"), List.of("c")))
                .thenPage()
                .thenReply(request -> Mono.error(new IOException("Connection reset by peer")));

        StepVerifier.withVirtualTime(() -> scanner(node, SCAN).fetchKeys("*"))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(List.of("a", "b", "c"))
                .verifyComplete();
        assertThat(node.cursorsSent()).containsExactly("0", "101", "101", "102");
    }
}
