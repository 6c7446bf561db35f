package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.spi.ScanNode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** A literal pattern (one EXISTS) gets the timeout, retries and errors of every other command. */
class LiteralLookupTest {

    private static final KeyScanOptions OPTIONS = KeyScanOptions.builder().useScan(true)
            .commandTimeout(Duration.ofSeconds(1)).retryMaxAttempts(3).build();

    /** A keyspace whose node lookup fails {@code failures} times with a transient error first. */
    private static ScriptedKeyspace failingLookup(ScriptedNode node, int failures, AtomicInteger lookups) {
        return new ScriptedKeyspace(node) {
            @Override
            public Mono<ScanNode> nodeForKey(byte[] key) {
                return Mono.defer(() -> lookups.incrementAndGet() <= failures
                        ? Mono.error(new IOException("connection reset while looking up the node"))
                        : super.nodeForKey(key));
            }
        };
    }

    @Test
    void theNodeLookupOfALiteralIsRetried() {
        ScriptedNode node = new ScriptedNode();
        node.existing.add("user:1");
        AtomicInteger lookups = new AtomicInteger();
        DefaultKeyScanner scanner = new DefaultKeyScanner(failingLookup(node, 2, lookups), OPTIONS, () -> 0.5);

        StepVerifier.withVirtualTime(() -> scanner.fetchKeys("user:1"))
                .thenAwait(Duration.ofSeconds(5))
                .expectNext(List.of("user:1"))
                .verifyComplete();
        assertThat(lookups).hasValue(3);
        assertThat(node.existsCalls).hasValue(1);
    }

    @Test
    void aNodeLookupThatKeepsFailingIsAKeyScanExceptionNamingThePattern() {
        AtomicInteger lookups = new AtomicInteger();
        DefaultKeyScanner scanner = new DefaultKeyScanner(failingLookup(new ScriptedNode(), 99, lookups), OPTIONS,
                () -> 0.5);

        StepVerifier.withVirtualTime(() -> scanner.fetchKeys("user:1"))
                .thenAwait(Duration.ofSeconds(5))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                        .hasMessageContaining("of pattern 'user:1'")
                        .hasMessageContaining("failed after 3 attempts")
                        .hasRootCauseInstanceOf(IOException.class))
                .verify();
        assertThat(lookups).hasValue(3);
    }

    @Test
    void anExistsThatTimesOutIsRetried() {
        ScriptedNode node = new ScriptedNode() {
            private final AtomicInteger calls = new AtomicInteger();

            @Override
            public Mono<Boolean> exists(byte[] key) {
                // the first EXISTS never gets a reply, as on a paused server
                return calls.incrementAndGet() == 1 ? Mono.never() : super.exists(key);
            }
        };
        node.existing.add("user:1");
        DefaultKeyScanner scanner = new DefaultKeyScanner(new ScriptedKeyspace(node), OPTIONS, () -> 0.5);

        StepVerifier.withVirtualTime(() -> scanner.fetchKeys("user:1"))
                .thenAwait(Duration.ofSeconds(5))
                .expectNext(List.of("user:1"))
                .verifyComplete();
    }
}
