package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.testkit.LogCapture;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** What a {@link KeyScanListener} is told: one event per page, retry, server change, and listing. */
class ListenerTest {

    /** Every event as a line, in order. */
    static final class Recorder implements KeyScanListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onScanPage(String address, int count, int keys) {
            events.add("page " + address + " count=" + count + " keys=" + keys);
        }

        @Override
        public void onRetry(String command, String address, int attempt, Throwable cause) {
            events.add("retry " + command + " " + address + " attempt=" + attempt + " " + cause.getMessage());
        }

        @Override
        public void onServerChange(String address) {
            events.add("server change " + address);
        }

        @Override
        public void onListing(Path path, Duration duration, long keys, @Nullable Throwable error) {
            events.add("listing " + path + " keys=" + keys + (error == null ? "" : " error=" + error.getClass()
                    .getSimpleName()));
        }
    }

    private static DefaultKeyScanner scanner(ScriptedNode node, KeyScanListener listener, boolean useScan) {
        KeyScanOptions options = KeyScanOptions.builder().useScan(useScan).scanCountAutoTune(false).scanCount(10)
                .retryMaxAttempts(2).listener(listener).build();
        return new DefaultKeyScanner(new ScriptedKeyspace(node), options, () -> 0.5);
    }

    private static ScriptedNode twoPages() {
        return new ScriptedNode().pages(List.of(List.of("a", "b"), List.of("c")));
    }

    @Test
    void reportsEachPageAndTheListingOnce() {
        Recorder recorder = new Recorder();

        StepVerifier.create(scanner(twoPages(), recorder, true).fetchKeys("*"))
                .expectNext(List.of("a", "b", "c"))
                .verifyComplete();
        assertThat(recorder.events).containsExactly("page scripted:6379 count=10 keys=2",
                "page scripted:6379 count=10 keys=1", "listing SCAN keys=3");
    }

    @Test
    void reportsTheKeysPathAndExists() {
        Recorder recorder = new Recorder();
        ScriptedNode node = twoPages().keysReply(Mono.just(ScriptedNode.bytes(List.of("x", "y"))));
        node.existing.add("lit");

        scanner(node, recorder, false).fetchKeys("*").block();
        scanner(node, recorder, false).fetchKeys("lit").block();
        assertThat(recorder.events).containsExactly("listing KEYS keys=2", "listing EXISTS keys=1");
    }

    @Test
    void reportsRetriesServerChangesAndErrors() {
        Recorder recorder = new Recorder();
        ScriptedNode node = twoPages();
        node.thenPage().thenReply(request -> {
            node.runId("run-2");
            return Mono.error(new IOException("reset"));
        });

        StepVerifier.withVirtualTime(() -> scanner(node, recorder, true).fetchKeys("*"))
                .thenAwait(Duration.ofSeconds(1))
                .expectNext(List.of("a", "b", "c"))
                .verifyComplete();
        assertThat(recorder.events).containsExactly(
                "page scripted:6379 count=10 keys=2",
                "retry SCAN scripted:6379 attempt=1 reset",
                "server change scripted:6379",
                "page scripted:6379 count=10 keys=2",
                "page scripted:6379 count=10 keys=1",
                "listing SCAN keys=3");

        Recorder failed = new Recorder();
        ScriptedNode down = twoPages().thenReply(request -> Mono.error(new IOException("refused")))
                .thenReply(request -> Mono.error(new IOException("refused")));
        StepVerifier.withVirtualTime(() -> scanner(down, failed, true).scan("*"))
                .thenAwait(Duration.ofSeconds(1))
                .expectError(KeyScanException.class)
                .verify();
        assertThat(failed.events).containsExactly("retry SCAN scripted:6379 attempt=1 refused",
                "listing SCAN keys=0 error=KeyScanException");
    }

    @Test
    void cancelledStreamIsReportedOnceWithTheKeysDelivered() {
        Recorder recorder = new Recorder();

        StepVerifier.create(scanner(twoPages(), recorder, true).scan("*"), 1)
                .expectNext("a")
                .thenCancel()
                .verify();
        assertThat(recorder.events).containsExactly("page scripted:6379 count=10 keys=2", "listing SCAN keys=1");
    }

    @Test
    void listenerThatThrowsDoesNotBreakTheListing() {
        KeyScanListener broken = new KeyScanListener() {
            @Override
            public void onScanPage(String address, int count, int keys) {
                throw new IllegalStateException("metrics registry closed");
            }

            @Override
            public void onListing(Path path, Duration duration, long keys, @Nullable Throwable error) {
                throw new IllegalStateException("metrics registry closed");
            }
        };

        try (LogCapture logs = LogCapture.keyscan()) {
            StepVerifier.create(scanner(twoPages(), broken, true).fetchKeys("*"))
                    .expectNext(List.of("a", "b", "c"))
                    .verifyComplete();
            assertThat(logs.warnings()).anyMatch(line -> line.contains("KeyScanListener.onScanPage failed"));
        }
    }
}
