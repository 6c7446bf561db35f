package io.keyscan;

import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * The keys of one cursor range of one server (usually the whole of it), fetched page by page as downstream
 * demand needs them. Created with {@link #of}, which passes it through {@link Flux#onAssembly} like any
 * reactor-core operator, so that assembly hooks and checkpoints see it; it and its subscription are
 * {@link Scannable}.
 *
 * <p>A SCAN call is made only when the current page is used up and downstream has requested more than it
 * received: no prefetch, so at most the rest of one page is held ahead of demand, and nothing is sent
 * while nobody requests. Empty pages are followed by the next call at once. Cancellation cancels the call
 * in flight and no further call is made.
 *
 * <p>Each subscription gets its range from the supplier: a fresh iteration makes the publisher cold.
 */
final class NodeKeyWalk extends Flux<byte[]> implements Scannable {

    private final Supplier<? extends PagedRange> ranges;

    private NodeKeyWalk(Supplier<? extends PagedRange> ranges) {
        this.ranges = ranges;
    }

    /** @param ranges gives the range to walk, at each subscription */
    static Flux<byte[]> of(Supplier<? extends PagedRange> ranges) {
        return Flux.onAssembly(new NodeKeyWalk(ranges));
    }

    @Override
    public void subscribe(CoreSubscriber<? super byte[]> actual) {
        PagedRange range;
        try {
            range = ranges.get();
        } catch (Throwable t) {
            Operators.error(actual, Operators.onOperatorError(t, actual.currentContext()));
            return;
        }
        actual.onSubscribe(new WalkSubscription(actual, range));
    }

    @Override
    public @Nullable Object scanUnsafe(Attr key) {
        // page calls complete on the client's I/O threads
        return key == Attr.RUN_STYLE ? Attr.RunStyle.ASYNC : null;
    }

    /**
     * The subscription handed downstream: {@link Scannable} with the attributes reactor-core's own inner producers
     * report (its {@code InnerProducer} interface is not public).
     */
    static final class WalkSubscription implements Subscription, Scannable {

        private final CoreSubscriber<? super byte[]> actual;
        private final PagedRange range;

        volatile long requested;
        static final AtomicLongFieldUpdater<WalkSubscription> REQUESTED =
                AtomicLongFieldUpdater.newUpdater(WalkSubscription.class, "requested");

        volatile int wip;
        static final AtomicIntegerFieldUpdater<WalkSubscription> WIP =
                AtomicIntegerFieldUpdater.newUpdater(WalkSubscription.class, "wip");

        /** The subscription of the page call in flight; Operators' cancelled marker once cancelled. */
        volatile @Nullable Subscription pageCall;
        @SuppressWarnings("rawtypes")
        static final AtomicReferenceFieldUpdater<WalkSubscription, Subscription> PAGE_CALL =
                AtomicReferenceFieldUpdater.newUpdater(WalkSubscription.class, Subscription.class, "pageCall");

        volatile boolean cancelled;
        /** A page delivered by the call in flight and not yet taken by the drain loop. */
        volatile @Nullable List<byte[]> arrived;
        volatile @Nullable Throwable failure;

        // Touched only inside the drain loop; scanUnsafe reads them racily, for an estimate (as reactor-core does).
        private List<byte[]> current = List.of();
        private int index;
        private boolean fetching;
        private boolean done;

        WalkSubscription(CoreSubscriber<? super byte[]> actual, PagedRange range) {
            this.actual = actual;
            this.range = range;
        }

        @Override
        public @Nullable Object scanUnsafe(Attr key) {
            if (key == Attr.ACTUAL) {
                return actual;
            }
            if (key == Attr.CANCELLED) {
                return cancelled;
            }
            if (key == Attr.TERMINATED) {
                return done;
            }
            if (key == Attr.REQUESTED_FROM_DOWNSTREAM) {
                return requested;
            }
            if (key == Attr.BUFFERED) {
                // read off the drain loop's thread: an estimate, as reactor-core's queues report theirs
                return current.size() - index;
            }
            if (key == Attr.ERROR) {
                return failure;
            }
            if (key == Attr.RUN_STYLE) {
                return Attr.RunStyle.ASYNC;
            }
            return null;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                // Reactive Streams 3.9: a non-positive request is an error signalled downstream.
                failure = Exceptions.nullOrNegativeRequestException(n);
                Operators.terminate(PAGE_CALL, this);
            } else {
                Operators.addCap(REQUESTED, this, n);
            }
            drain();
        }

        @Override
        public void cancel() {
            if (cancelled) {
                return;
            }
            cancelled = true;
            Operators.terminate(PAGE_CALL, this);
            if (WIP.getAndIncrement(this) == 0) {
                release();
            }
        }

        private void release() {
            current = List.of();
            arrived = null;
        }

        void drain() {
            if (WIP.getAndIncrement(this) != 0) {
                return;
            }
            int missed = 1;
            for (;;) {
                long demand = requested;
                long emitted = 0;
                for (;;) {
                    if (cancelled || done) {
                        release();
                        return;
                    }
                    // A failure can only come from the page call, made when the current page was used up, or
                    // from a bad request: either way nothing is left to emit before it.
                    Throwable error = failure;
                    if (error != null) {
                        done = true;
                        release();
                        actual.onError(error);
                        return;
                    }
                    if (index == current.size()) {
                        List<byte[]> next = arrived;
                        if (next != null) {
                            arrived = null;
                            current = next;
                            index = 0;
                            fetching = false;
                            continue;
                        }
                        if (fetching) {
                            break;
                        }
                        if (range.finished()) {
                            done = true;
                            release();
                            actual.onComplete();
                            return;
                        }
                        if (emitted == demand) {
                            break;
                        }
                        fetching = true;
                        fetchNextPage();
                        continue;
                    }
                    if (emitted == demand) {
                        break;
                    }
                    byte[] key = current.get(index++);
                    actual.onNext(key);
                    emitted++;
                }
                if (emitted != 0 && demand != Long.MAX_VALUE) {
                    REQUESTED.addAndGet(this, -emitted);
                }
                missed = WIP.addAndGet(this, -missed);
                if (missed == 0) {
                    return;
                }
            }
        }

        private void fetchNextPage() {
            try {
                range.nextPage().subscribe(new PageSubscriber());
            } catch (Throwable t) {
                Exceptions.throwIfFatal(t);
                failure = t;
            }
        }

        /** Receives one page call's outcome and hands it to the drain loop. */
        final class PageSubscriber implements CoreSubscriber<List<byte[]>> {

            private boolean received;

            @Override
            public Context currentContext() {
                return actual.currentContext();
            }

            @Override
            public void onSubscribe(Subscription s) {
                if (Operators.replace(PAGE_CALL, WalkSubscription.this, s)) {
                    s.request(Long.MAX_VALUE);
                }
            }

            @Override
            public void onNext(List<byte[]> page) {
                received = true;
                if (cancelled) {
                    return; // nobody wants it: do not keep it referenced
                }
                arrived = page;
                drain();
            }

            @Override
            public void onError(Throwable t) {
                if (cancelled || done) {
                    Operators.onErrorDropped(t, actual.currentContext());
                    return;
                }
                failure = t;
                drain();
            }

            @Override
            public void onComplete() {
                if (!received) {
                    failure = new IllegalStateException("a SCAN page call completed without a page");
                    drain();
                }
            }
        }
    }
}
