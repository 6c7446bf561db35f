package io.keyscan;

import io.keyscan.spi.ScanNode;
import io.keyscan.spi.ScanPage;
import io.keyscan.spi.ScanRequest;
import java.util.function.LongSupplier;
import reactor.core.publisher.Mono;

/**
 * Measures what one server's SCAN calls of a listing cost it, for the {@link CountTuner}: the server's total SCAN
 * time ({@link ScanNode#scanMicros()}, INFO commandstats) is read with the first page and then every
 * {@value #READ_EVERY} calls, written on the same connection right before a SCAN, so that the difference between two
 * readings is exactly the server time of the calls written between them, free of network latency. Thread-safe:
 * the cursor ranges of one listing share it.
 *
 * <p>Each reading is also a round trip of a command that costs the server almost nothing: it is recorded in the
 * scanner's {@link RoundTrips}, from which auto-tuning decides how many cursor ranges keep the server busy.
 */
final class ScanTimeSampler {

    /** SCAN calls between two readings of the server's SCAN time. */
    static final int READ_EVERY = 8;

    /** No reading yet (or tuning is off). */
    static final long NO_READING = -1;

    private final ScanNode node;
    private final CountTuner tuner;
    private final LongSupplier nanoClock;
    private final RoundTrips roundTrips;

    // Guarded by this.
    /** The server's SCAN time at the last reading, in microseconds; {@link #NO_READING} before the first. */
    private long lastScanMicros = NO_READING;
    /** COUNTs and number of the SCAN calls written since the last reading. */
    private long measuredCounts;
    private int measuredCalls;
    private boolean readingInFlight;

    /**
     * @param nanoClock {@link System#nanoTime()}, or a clock tests control
     * @param roundTrips where the readings' round trips go
     */
    ScanTimeSampler(ScanNode node, CountTuner tuner, LongSupplier nanoClock, RoundTrips roundTrips) {
        this.node = node;
        this.tuner = tuner;
        this.nanoClock = nanoClock;
        this.roundTrips = roundTrips;
    }

    /** The reading to send with the first SCAN of the listing: the base the next readings are measured from. */
    Mono<Long> baseline() {
        return tuner.measures() ? timedReading() : Mono.just(NO_READING);
    }

    /**
     * A reading of the server's SCAN time, its round trip recorded: from the subscription, when the command is
     * written, to the reply.
     */
    private Mono<Long> timedReading() {
        return Mono.defer(() -> {
            long written = nanoClock.getAsLong();
            return node.scanMicros().doOnNext(micros -> roundTrips.observe(node.address(),
                    Math.max(0, nanoClock.getAsLong() - written)));
        });
    }

    /** The first SCAN (of {@code count}) was answered, with {@code baseline} read right before it. */
    synchronized void started(long baseline, int count) {
        lastScanMicros = baseline;
        measuredCounts = count;
        measuredCalls = 1;
    }

    /**
     * {@code request}'s SCAN, preceded every {@link #READ_EVERY} calls, when tuning, by a reading of the server's
     * SCAN time: written first, it runs after every SCAN written before it and before this one.
     */
    Mono<ScanPage> scan(ScanRequest request) {
        long counts;
        int calls;
        synchronized (this) {
            boolean read = tuner.measures() && !readingInFlight && measuredCalls >= READ_EVERY;
            counts = read ? measuredCounts : 0;
            calls = read ? measuredCalls : 0;
            if (read) {
                readingInFlight = true;
                measuredCounts = 0;
                measuredCalls = 0;
            }
            // every SCAN written runs on the server, even one whose reply is given up on
            measuredCounts += request.count();
            measuredCalls++;
        }
        if (calls == 0) {
            return node.scan(request);
        }
        Mono<Long> reading = timedReading()
                .doOnNext(micros -> record(micros, counts, calls))
                .doFinally(signal -> {
                    synchronized (this) {
                        readingInFlight = false;
                    }
                });
        return Mono.zip(reading, node.scan(request)).map(replies -> replies.getT2());
    }

    /** A reading of the server's SCAN time: what the calls written since the previous reading cost. */
    private void record(long micros, long counts, int calls) {
        long previous;
        synchronized (this) {
            previous = lastScanMicros;
            lastScanMicros = micros;
        }
        // A reset of the statistics (CONFIG RESETSTAT) or a new process shows as a drop: no measurement then.
        if (previous != NO_READING && micros >= previous) {
            tuner.onServerTime(counts, calls, (micros - previous) * 1_000);
        }
    }
}
