package io.keyscan;

import java.time.Duration;

/**
 * Sizes COUNT so that one SCAN call holds the server for about three quarters of the budget.
 *
 * <p>A call's server time is estimated as its round trip less the connection's idle round trip (taken from the
 * {@code INFO server} sent with the first SCAN), divided by the calls in flight when it was sent. The cost of
 * one COUNT unit is smoothed over calls (the mean of the previous estimate and the new sample), and the next
 * COUNT is the target over that cost: at most double the last COUNT, so a cheap stretch of the keyspace cannot
 * make one call jump far; but cut at once when a call exceeded the budget. Always within
 * [{@code scanCountMin}, {@code scanCountMax}]. A call with no measurable server time doubles COUNT (a small
 * table: every call is cheap).
 *
 * <p>Deterministic: the same sequence of measurements gives the same COUNTs.
 */
final class AdaptiveCountTuner implements CountTuner {

    private final long budgetNanos;
    private final long targetNanos;
    private final int min;
    private final int max;
    private int count;
    private long idleNanos;
    private double nanosPerCount = Double.NaN;

    AdaptiveCountTuner(Duration budget, int min, int max, int start) {
        this.budgetNanos = budget.toNanos();
        this.targetNanos = budgetNanos * 3 / 4;
        this.min = min;
        this.max = max;
        this.count = clamp(start);
    }

    @Override
    public synchronized int count() {
        return count;
    }

    @Override
    public synchronized void onFirstPage(int sentCount, long infoNanos, long scanNanos) {
        idleNanos = Math.max(0, infoNanos);
        record(sentCount, scanNanos - infoNanos);
    }

    @Override
    public synchronized void onPage(int sentCount, long roundTripNanos, int inFlight) {
        record(sentCount, (roundTripNanos - idleNanos) / Math.max(1, inFlight));
    }

    private void record(int sentCount, long serverNanos) {
        if (serverNanos <= 0) {
            count = clamp((long) sentCount * 2);
            return;
        }
        double sample = serverNanos / (double) sentCount;
        nanosPerCount = Double.isNaN(nanosPerCount) ? sample : (nanosPerCount + sample) / 2;
        long ideal = (long) (targetNanos / nanosPerCount);
        long next = serverNanos > budgetNanos ? ideal : Math.min(ideal, (long) sentCount * 2);
        count = clamp(next);
    }

    private int clamp(long value) {
        return (int) Math.max(min, Math.min(max, value));
    }
}
