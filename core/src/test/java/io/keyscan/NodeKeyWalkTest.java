package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.subscriber.TestSubscriber;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.test.util.RaceTestUtils;

/**
 * {@link NodeKeyWalk} as a reactor-core operator: Scannable, seen by assembly hooks, and race-tested in the style of
 * reactor-core's own operator tests (every race thousands of times, the outcome checked exactly each time).
 */
class NodeKeyWalkTest {

    private static final int ROUNDS = 5_000;

    @AfterEach
    void resetHooks() {
        Hooks.resetOnOperatorError();
        Hooks.resetOnErrorDropped();
        Hooks.resetOnEachOperator();
    }

    private static List<byte[]> keys(String... keys) {
        List<byte[]> out = new ArrayList<>();
        for (String key : keys) {
            out.add(key.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    private static List<String> strings(List<byte[]> keys) {
        List<String> out = new ArrayList<>();
        for (byte[] key : keys) {
            out.add(new String(key, StandardCharsets.UTF_8));
        }
        return out;
    }

    /**
     * A range whose page calls are sinks the test completes: page {@code i} is {@link #calls}{@code .get(i)}; the
     * range is finished once {@link #finishAfter} pages were delivered.
     */
    static final class ScriptedRange implements PagedRange {
        final List<Sinks.One<List<byte[]>>> calls = new CopyOnWriteArrayList<>();
        final AtomicInteger delivered = new AtomicInteger();
        final AtomicInteger cancelledCalls = new AtomicInteger();
        volatile int finishAfter = Integer.MAX_VALUE;

        @Override
        public boolean finished() {
            return delivered.get() >= finishAfter;
        }

        @Override
        public Mono<List<byte[]>> nextPage() {
            return Mono.defer(() -> {
                Sinks.One<List<byte[]>> call = Sinks.one();
                calls.add(call);
                return call.asMono().doOnNext(page -> delivered.incrementAndGet())
                        .doOnCancel(cancelledCalls::incrementAndGet);
            });
        }
    }

    @Test
    void theWalkAndItsSubscriptionAreScannable() {
        ScriptedRange range = new ScriptedRange();
        Flux<byte[]> walk = NodeKeyWalk.of(() -> range);
        assertThat(Scannable.from(walk).isScanAvailable()).isTrue();
        assertThat(Scannable.from(walk).scan(Scannable.Attr.RUN_STYLE)).isEqualTo(Scannable.Attr.RunStyle.ASYNC);

        TestSubscriber<byte[]> subscriber = TestSubscriber.builder().initialRequest(3).build();
        walk.subscribe(subscriber);
        Scannable subscription = Scannable.from(subscriber.scan(Scannable.Attr.PARENT));
        assertThat(subscription.scan(Scannable.Attr.ACTUAL)).isSameAs(subscriber);
        assertThat(subscription.scan(Scannable.Attr.REQUESTED_FROM_DOWNSTREAM)).isEqualTo(3L);
        assertThat(subscription.scan(Scannable.Attr.CANCELLED)).isFalse();

        range.calls.get(0).tryEmitValue(keys("a", "b", "c", "d", "e"));
        assertThat(subscription.scan(Scannable.Attr.BUFFERED)).as("keys of the page not yet requested").isEqualTo(2);
        assertThat(subscription.scan(Scannable.Attr.REQUESTED_FROM_DOWNSTREAM)).isEqualTo(0L);
        subscriber.cancel();
        assertThat(subscription.scan(Scannable.Attr.CANCELLED)).isTrue();
    }

    @Test
    void assemblyHooksSeeTheWalk() {
        List<Object> assembled = new CopyOnWriteArrayList<>();
        Hooks.onEachOperator("keyscan-test", publisher -> {
            assembled.add(publisher);
            return publisher;
        });
        Flux<byte[]> walk = NodeKeyWalk.of(ScriptedRange::new);
        assertThat(assembled).anyMatch(publisher -> publisher instanceof NodeKeyWalk);
        assertThat(walk.checkpoint("keyscan walk")).isNotNull();
    }

    @Test
    void requestRacingThePageArrivalLosesAndRepeatsNothing() {
        for (int round = 0; round < ROUNDS; round++) {
            ScriptedRange range = new ScriptedRange();
            TestSubscriber<byte[]> subscriber = TestSubscriber.builder().initialRequest(1).build();
            NodeKeyWalk.of(() -> range).subscribe(subscriber);
            assertThat(range.calls).hasSize(1);

            RaceTestUtils.race(
                    () -> range.calls.get(0).tryEmitValue(keys("a", "b", "c")),
                    () -> subscriber.request(5));

            // 6 requested, 3 delivered: the next page is asked for exactly once, whichever signal came first
            assertThat(strings(subscriber.getReceivedOnNext())).as("round %d", round).containsExactly("a", "b", "c");
            assertThat(range.calls).as("round %d", round).hasSize(2);
            range.finishAfter = 2;
            range.calls.get(1).tryEmitValue(keys("d", "e"));
            assertThat(strings(subscriber.getReceivedOnNext())).containsExactly("a", "b", "c", "d", "e");
            assertThat(subscriber.isTerminatedComplete()).as("round %d", round).isTrue();
        }
    }

    @Test
    void cancelRacingThePageArrivalEmitsAtMostTheDemandAndCallsNoMore() {
        AtomicInteger dropped = new AtomicInteger();
        Hooks.onErrorDropped(error -> dropped.incrementAndGet());
        for (int round = 0; round < ROUNDS; round++) {
            ScriptedRange range = new ScriptedRange();
            TestSubscriber<byte[]> subscriber = TestSubscriber.builder().initialRequest(2).build();
            NodeKeyWalk.of(() -> range).subscribe(subscriber);

            RaceTestUtils.race(
                    () -> range.calls.get(0).tryEmitValue(keys("a", "b", "c")),
                    subscriber::cancel);

            assertThat(subscriber.getReceivedOnNext().size()).as("round %d", round).isLessThanOrEqualTo(2);
            assertThat(subscriber.isTerminated()).as("round %d", round).isFalse();
            // the demand of 2 is met by the page (or nothing was emitted): no second call either way
            assertThat(range.calls).as("round %d", round).hasSize(1);
        }
        assertThat(dropped).hasValue(0);
    }

    @Test
    void cancelRacingARetrySendsNoCommandAfterTheCancel() {
        AtomicInteger dropped = new AtomicInteger();
        Hooks.onErrorDropped(error -> {
            // A failure arriving after the cancel is dropped, as reactor-core drops any late error: only that one.
            if (!(error instanceof IOException)) {
                dropped.incrementAndGet();
            }
        });
        VirtualTimeScheduler timer = VirtualTimeScheduler.create();
        KeyScanOptions options = KeyScanOptions.builder().retryMaxAttempts(3).retryFirstBackoff(Duration.ofMillis(10))
                .retryMaxBackoff(Duration.ofMillis(10)).build();
        CommandRunner runner = new CommandRunner(new ScriptedKeyspace(), options, () -> 0.5, timer);
        int retriedRounds = 0;
        for (int round = 0; round < ROUNDS; round++) {
            // The first attempt fails with a transient error; the runner retries after its backoff.
            Sinks.One<List<byte[]>> firstAttempt = Sinks.one();
            AtomicInteger attempts = new AtomicInteger();
            AtomicBoolean cancelReturned = new AtomicBoolean();
            AtomicInteger sentAfterCancel = new AtomicInteger();
            AtomicInteger retriesSent = new AtomicInteger();
            PagedRange range = new PagedRange() {
                @Override
                public boolean finished() {
                    return false;
                }

                @Override
                public Mono<List<byte[]>> nextPage() {
                    return runner.run(() -> attempts.incrementAndGet() == 1 ? firstAttempt.asMono()
                            : Mono.fromCallable(() -> {
                                retriesSent.incrementAndGet();
                                if (cancelReturned.get()) {
                                    sentAfterCancel.incrementAndGet();
                                }
                                return keys("late");
                            }), new CommandRunner.Call("SCAN", "k:*", () -> "scripted", "42"))
                            .map(attempt -> attempt.value());
                }
            };
            TestSubscriber<byte[]> subscriber = TestSubscriber.builder().initialRequest(1).build();
            NodeKeyWalk.of(() -> range).subscribe(subscriber);

            // The cancel starts a little later in each round, so that over the rounds it lands anywhere in the
            // handling of the failure (logging the retry, subscribing its backoff), where reactor-core's fallback
            // subscription can miss it.
            int spins = (round * 7919) % 40_000;
            RaceTestUtils.race(
                    () -> firstAttempt.tryEmitError(new IOException("connection reset")),
                    () -> {
                        for (int i = 0; i < spins; i++) {
                            Thread.onSpinWait();
                        }
                        subscriber.cancel();
                        cancelReturned.set(true);
                    });
            timer.advanceTimeBy(Duration.ofSeconds(1)); // any backoff still pending fires now

            assertThat(sentAfterCancel).as("round %d: a command sent after cancel returned", round).hasValue(0);
            assertThat(subscriber.getReceivedOnNext()).as("round %d", round).isEmpty();
            assertThat(subscriber.isTerminated()).as("round %d", round).isFalse();
            retriedRounds += retriesSent.get();
        }
        timer.dispose();
        // Retries before the cancel are allowed (the error may win the race): nothing after it.
        assertThat(retriedRounds).isLessThanOrEqualTo(ROUNDS);
        assertThat(dropped).hasValue(0);
    }
}
