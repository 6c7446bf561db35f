package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.spi.ScanPage;
import io.keyscan.testkit.LogCapture;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Timeouts, retries and server changes over scripted pages, in virtual time. Jitter is fixed at the middle
 * of its range (random 0.5) so the schedule is exact: backoff n = base/2 + 0.5 * base/2 = 0.75 * base, with
 * base = 100 ms * 2^(n-1).
 */
class RetryAndRestartTest {

    private static final KeyScanOptions OPTIONS = KeyScanOptions.builder()
            .useScan(true)
            .commandTimeout(Duration.ofSeconds(1))
            .retryMaxAttempts(4)
            .retryFirstBackoff(Duration.ofMillis(100))
            .retryMaxBackoff(Duration.ofSeconds(2))
            .build();

    private static DefaultKeyScanner scanner(ScriptedNode node) {
        return new DefaultKeyScanner(new ScriptedKeyspace(node), OPTIONS, () -> 0.5);
    }

    private static ScriptedNode threePages() {
        return new ScriptedNode().pages(List.of(List.of("a", "b"), List.of("c"), List.of("d", "e")));
    }

    @Test
    void timedOutCallIsRetriedWithBackoffFromTheSameCursor() {
        ScriptedNode node = threePages()
                .thenPage()
                .thenReply(request -> Mono.never())
                .thenReply(request -> Mono.never());

        StepVerifier.withVirtualTime(() -> scanner(node).fetchKeys("*"))
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(2))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(List.of("a", "b", "c", "d", "e"))
                .verifyComplete();

        assertThat(node.cursorsSent()).containsExactly("0", "101", "101", "101", "102");
        // timeout 1000 ms, backoff 75 ms, timeout 1000 ms, backoff 150 ms
        assertThat(node.scanTimes).containsExactly(0L, 0L, 1075L, 2225L, 2225L);
    }

    @Test
    void backoffDoublesUpToTheMaximumWithJitterInTheUpperHalf() {
        CommandRunner runner = new CommandRunner(new ScriptedKeyspace(), OPTIONS, () -> 0.0);
        assertThat(runner.backoff(1)).isEqualTo(Duration.ofMillis(50));
        assertThat(runner.backoff(2)).isEqualTo(Duration.ofMillis(100));
        assertThat(runner.backoff(5)).isEqualTo(Duration.ofMillis(800));
        assertThat(runner.backoff(6)).isEqualTo(Duration.ofMillis(1000));
        assertThat(runner.backoff(99)).isEqualTo(Duration.ofMillis(1000));
        CommandRunner top = new CommandRunner(new ScriptedKeyspace(), OPTIONS, () -> 0.999999);
        assertThat(top.backoff(1)).isBetween(Duration.ofMillis(99), Duration.ofMillis(100));
        assertThat(top.backoff(99)).isBetween(Duration.ofMillis(1999), Duration.ofSeconds(2));
    }

    @Test
    void exhaustedRetriesEndWithAnErrorNamingPatternCursorAttemptsAndTimeout() {
        ScriptedNode node = threePages().thenPage()
                .thenReply(request -> Mono.never()).thenReply(request -> Mono.never())
                .thenReply(request -> Mono.never()).thenReply(request -> Mono.never());

        StepVerifier.withVirtualTime(() -> scanner(node).fetchKeys("user:*"))
                .expectSubscription()
                .thenAwait(Duration.ofMinutes(1))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(KeyScanTimeoutException.class)
                            .hasMessageContaining("SCAN of pattern 'user:*' on scripted:6379 at cursor 101")
                            .hasMessageContaining("after 4 attempts")
                            .hasMessageContaining("command timeout 1 s");
                    KeyScanTimeoutException timeout = (KeyScanTimeoutException) error;
                    assertThat(timeout.pattern()).isEqualTo("user:*");
                    assertThat(timeout.cursor()).isEqualTo("101");
                    assertThat(timeout.attempts()).isEqualTo(4);
                    assertThat(timeout.timeout()).isEqualTo(Duration.ofSeconds(1));
                })
                .verify();
        assertThat(node.cursorsSent()).containsExactly("0", "101", "101", "101", "101");
    }

    @Test
    void streamEmitsWhatItHadThenTheErrorNeverACompletion() {
        ScriptedNode node = threePages().thenPage()
                .thenReply(request -> Mono.error(new IOException("refused"))).thenReply(request -> Mono.error(new IOException("refused")))
                .thenReply(request -> Mono.error(new IOException("refused"))).thenReply(request -> Mono.error(new IOException("refused")));

        StepVerifier.withVirtualTime(() -> scanner(node).scan("*"))
                .expectNext("a", "b")
                .thenAwait(Duration.ofMinutes(1))
                .expectErrorSatisfies(error -> assertThat(error).isExactlyInstanceOf(KeyScanException.class)
                        .hasMessageContaining("IOException: refused")
                        .hasCauseInstanceOf(IOException.class))
                .verify();
    }

    @Test
    void permanentFailureIsNotRetried() {
        ScriptedNode node = threePages().thenReply(request -> Mono.error(new IllegalStateException("NOPERM no")));

        StepVerifier.create(scanner(node).fetchKeys("*"))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                        .hasMessageContaining("not retried").hasMessageContaining("NOPERM no"))
                .verify(Duration.ofSeconds(5));
        assertThat(node.scans).hasSize(1);
    }

    @Test
    void keysUnavailableIsPassedOnAtOnceWithTheHintToUseScan() {
        ScriptedNode node = new ScriptedNode().keysReply(Mono.error(new IllegalStateException(
                "ERR unknown command 'KEYS', with args beginning with: '*'")));
        DefaultKeyScanner scanner = new DefaultKeyScanner(new ScriptedKeyspace(node), KeyScanOptions.defaults(),
                () -> 0.5);

        StepVerifier.create(scanner.fetchKeys("*"))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                        .hasMessageContaining("ERR unknown command 'KEYS'")
                        .hasMessageContaining("KEYS is unavailable on this server")
                        .hasMessageContaining("useScan = true"))
                .verify(Duration.ofSeconds(5));
        assertThat(node.keysCalls).hasValue(1);
    }

    @Test
    void serverRestartDuringRetryRescansFromZeroWithoutRepeatingKeys() {
        ScriptedNode node = threePages();
        node.thenPage()
                .thenReply(request -> {
                    node.runId("run-2"); // the server restarts while this call is in flight
                    return Mono.error(new IOException("Connection reset by peer"));
                });

        try (LogCapture logs = LogCapture.keyscan()) {
            StepVerifier.withVirtualTime(() -> scanner(node).scan("*"))
                    .expectNext("a", "b")
                    .thenAwait(Duration.ofSeconds(1))
                    .expectNext("c", "d", "e")
                    .verifyComplete();
            assertThat(logs.warnings()).anyMatch(line -> line.contains("run_id run-1 -> run-2")
                    && line.contains("scanned again from cursor 0"));
        }
        // 101 failed, 101 retried on the new process (reply dropped), then from 0 again
        assertThat(node.cursorsSent()).containsExactly("0", "101", "101", "0", "101", "102");
    }

    @Test
    void replayedScanOnANewProcessIsDetectedByTheConnectionEpoch() {
        ScriptedNode node = threePages();
        node.thenPage()
                .thenReply(request -> {
                    // the client reconnected to a restarted server and replayed this SCAN there: no error at all
                    node.epoch.incrementAndGet();
                    node.runId("run-2");
                    return node.page(request);
                });

        StepVerifier.create(scanner(node).fetchKeys("*"))
                .expectNext(List.of("a", "b", "c", "d", "e"))
                .verifyComplete();
        assertThat(node.cursorsSent()).containsExactly("0", "101", "0", "101", "102");
    }

    @Test
    void reconnectToTheSameProcessContinuesFromTheCursor() {
        ScriptedNode node = threePages();
        node.thenPage()
                .thenReply(request -> {
                    node.epoch.incrementAndGet(); // e.g. CLIENT KILL: new connection, same process
                    return node.page(request);
                });

        StepVerifier.create(scanner(node).fetchKeys("*"))
                .expectNext(List.of("a", "b", "c", "d", "e"))
                .verifyComplete();
        assertThat(node.cursorsSent()).containsExactly("0", "101", "102");
        assertThat(node.runIdCalls).as("once with the first page, once to verify").hasValue(2);
    }

    @Test
    void aReconnectRightAfterTheVerifyingInfoIsCheckedAgainOnTheNextPage() {
        // A reconnect leads to a check; INFO answers from the old process, and just after that reply the client
        // completes another reconnect, to a new process. The next page must not be trusted on that epoch.
        ScriptedNode node = new ScriptedNode() {
            private int infos;

            @Override
            public Mono<io.keyscan.spi.ServerInfo> serverInfo() {
                return super.serverInfo().doOnNext(info -> {
                    if (++infos == 2) {
                        epoch.incrementAndGet();
                        runId("run-2");
                    }
                });
            }
        }.pages(List.of(List.of("a", "b"), List.of("c"), List.of("d", "e")));
        node.thenPage()
                .thenReply(request -> {
                    node.epoch.incrementAndGet(); // CLIENT KILL: same process, new connection
                    return node.page(request);
                });

        StepVerifier.create(scanner(node).fetchKeys("*"))
                .expectNext(List.of("a", "b", "c", "d", "e"))
                .verifyComplete();
        // before 102 goes out, the changed epoch leads to asking which process answers: run-2, which never gets
        // run-1's cursor; the walk starts over on it
        assertThat(node.cursorsSent()).containsExactly("0", "101", "0", "101", "102");
        assertThat(node.runIdCalls).hasValue(3);
    }

    @Test
    void firstPageSendsRunIdAndScanTogetherAndLaterPagesDoNotAskAgain() {
        ScriptedNode node = threePages();

        StepVerifier.create(scanner(node).fetchKeys("*")).expectNextCount(1).verifyComplete();
        assertThat(node.runIdCalls).hasValue(1);
    }

    @Test
    void aServerThatKeepsChangingEndsTheListingWithAnError() {
        ScriptedNode node = new ScriptedNode().pages(List.of(List.of("a"), List.of("b")));
        for (int i = 0; i < 20; i++) {
            int generation = i;
            node.thenPage().thenReply(request -> {
                node.epoch.incrementAndGet();
                node.runId("run-changed-" + generation);
                return node.page(request);
            });
        }

        StepVerifier.create(scanner(node).fetchKeys("*"))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                        .hasMessageContaining("restarted " + NodeIteration.MAX_RESTARTS + " times"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void keysThatTimedOutIsNotRetriedBecauseTheServerMayStillBeRunningIt() {
        ScriptedNode node = new ScriptedNode().keysReply(Mono.never());
        DefaultKeyScanner scanner = new DefaultKeyScanner(new ScriptedKeyspace(node), OPTIONS.mutate().useScan(false)
                .build(), () -> 0.5);

        StepVerifier.withVirtualTime(() -> scanner.fetchKeys("big:*"))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(1))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(KeyScanTimeoutException.class)
                            .hasMessageContaining("KEYS of pattern 'big:*'")
                            .hasMessageContaining("is not retried")
                            .hasMessageContaining("useScan = true");
                    assertThat(((KeyScanException) error).attempts()).isEqualTo(1);
                })
                .verify();
        assertThat(node.keysCalls).hasValue(1);
    }

    @Test
    void keysCommandIsRetriedOnTransientFailure() {
        ScriptedNode node = new ScriptedNode();
        int[] calls = {0};
        node.keysReply(Mono.defer(() -> ++calls[0] == 1 ? Mono.error(new IOException("reset"))
                : Mono.just(ScriptedNode.bytes(List.of("b", "a")))));
        DefaultKeyScanner scanner = new DefaultKeyScanner(new ScriptedKeyspace(node), KeyScanOptions.defaults(),
                () -> 0.5);

        StepVerifier.withVirtualTime(() -> scanner.fetchKeys("*"))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(List.of("a", "b"))
                .verifyComplete();
        assertThat(node.keysCalls).hasValue(2);
    }

    @Test
    void aPageCallThatCompletesEmptyIsAnError() {
        ScriptedNode node = threePages().thenReply(request -> Mono.<ScanPage>empty());

        StepVerifier.create(scanner(node).fetchKeys("*"))
                .expectErrorSatisfies(error -> assertThat(error).hasMessageContaining("without a reply"))
                .verify(Duration.ofSeconds(5));
    }
}
