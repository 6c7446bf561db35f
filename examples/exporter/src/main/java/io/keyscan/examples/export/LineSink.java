package io.keyscan.examples.export;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

/**
 * Writes export lines to the output as they come, asking for more as it writes ({@link #PREFETCH} lines ahead at
 * most), and closes the output at the end: completion, error, or {@link #interrupt()} (Ctrl-C). Each line is
 * written whole under a lock that {@link #interrupt()} takes too, so an interrupted file ends with a complete
 * line; and when a file is interrupted inside a big value written over several lines, it is cut back to before
 * that key's first line, so every key in it is whole. (Standard output cannot be cut back: there the last key may
 * end with a {@code "more": true} line.)
 */
final class LineSink extends BaseSubscriber<ExportLine> {

    /** Lines requested ahead of writing. */
    static final int PREFETCH = 256;

    /** How the export ended. */
    enum Outcome {
        COMPLETED, FAILED, INTERRUPTED
    }

    private final Object lock = new Object();
    private final OutputStream out;
    private final @Nullable FileChannel file;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicLong keys = new AtomicLong();
    private final AtomicLong lines = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private int sinceRequest;
    private boolean closed;
    /** Bytes written before the current key's first line; whether that key's value continues. */
    private long keyStart;
    private boolean inKey;
    private volatile @Nullable Outcome outcome;
    private volatile @Nullable Throwable failure;

    /**
     * @param out where lines go, buffered by the caller; closed here
     * @param file the file {@code out} writes to, to cut back an interrupted key and force it to disk; null for
     *     standard output
     */
    LineSink(OutputStream out, @Nullable FileChannel file) {
        this.out = out;
        this.file = file;
    }

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
        subscription.request(PREFETCH);
    }

    @Override
    protected void hookOnNext(ExportLine line) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (line.startsKey()) {
                keyStart = bytes.get();
            }
            try {
                out.write(line.bytes());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the export: " + e.getMessage(), e);
            }
            lines.incrementAndGet();
            bytes.addAndGet(line.bytes().length);
            if (line.startsKey()) {
                keys.incrementAndGet();
            }
            inKey = line.more();
        }
        if (++sinceRequest == PREFETCH / 2) {
            sinceRequest = 0;
            request(PREFETCH / 2);
        }
    }

    @Override
    protected void hookOnComplete() {
        finish(Outcome.COMPLETED, null);
    }

    @Override
    protected void hookOnError(Throwable error) {
        finish(Outcome.FAILED, error);
    }

    /**
     * Stops the export (Ctrl-C): cancels the reading and closes the output after the line being written, if any.
     *
     * @return false if the export had already ended
     */
    boolean interrupt() {
        cancel();
        return finish(Outcome.INTERRUPTED, null);
    }

    private boolean finish(Outcome how, @Nullable Throwable error) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            closed = true;
            Throwable closing = null;
            try {
                out.flush();
                if (file != null) {
                    if (inKey && how != Outcome.COMPLETED) {
                        file.truncate(keyStart);
                        bytes.set(keyStart);
                        keys.decrementAndGet();
                    }
                    file.force(true);
                }
            } catch (IOException | UncheckedIOException e) {
                closing = e;
            } finally {
                try {
                    out.close();
                } catch (IOException e) {
                    closing = closing == null ? e : closing;
                }
            }
            if (error == null && closing != null) {
                how = Outcome.FAILED;
                error = new UncheckedIOException("cannot finish the export file: " + closing.getMessage(),
                        closing instanceof IOException io ? io : new IOException(closing));
            }
            failure = error;
            outcome = how;
        }
        finished.countDown();
        return true;
    }

    /** Waits until the export ended; false if it did not within the time. */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    void await() throws InterruptedException {
        finished.await();
    }

    @Nullable Outcome outcome() {
        return outcome;
    }

    @Nullable Throwable failure() {
        return failure;
    }

    /** Keys written whole so far (a big value counts once its first line is written). */
    long keys() {
        return keys.get();
    }

    long lines() {
        return lines.get();
    }

    long bytes() {
        return bytes.get();
    }
}
