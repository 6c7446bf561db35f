package io.keyscan;

import java.time.Duration;

/**
 * Sizes COUNT so that one SCAN call holds the server for about three quarters of the budget.
 *
 * <p>With several cursors on one server (cursor ranges), their calls queue up on the server and another client's
 * command waits behind all of them; so each call aims at its share, three quarters of the budget over the number
 * of cursors, and the queue as a whole stays within the budget.
 *
 * <p>The server reports how long its SCAN calls took (see {@link CountTuner#onServerTime}). The cost of one COUNT
 * unit is smoothed over measurements (the mean of the previous estimate and the new sample), and the next
 * COUNT is the target over that cost: at most double the last COUNT, so a cheap stretch of the keyspace cannot
 * make one call jump far; but cut at once when a call exceeded the budget. Always within
 * [{@code scanCountMin}, {@code scanCountMax}]. A call with no measurable server time doubles COUNT (a small
 * table: every call is cheap).
 *
 * <p>Deterministic: the same sequence of measurements gives the same COUNTs.
 */
final class AdaptiveCountTuner implements CountTuner {

    private final long budgetNanos;
    private long targetNanos;
    private int cursors = 1;
    private final int min;
    private final int max;
    private int count;
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
    public boolean measures() {
        return true;
    }

    @Override
    public synchronized void cursors(int cursors) {
        this.cursors = Math.max(1, cursors);
        this.targetNanos = budgetNanos * 3 / 4 / this.cursors;
        if (!Double.isNaN(nanosPerCount)) {
            count = clamp(Math.min(count, (long) (targetNanos / nanosPerCount)));
        } else {
            count = clamp(count / this.cursors);
        }
    }

    @Override
    public synchronized void onServerTime(long counts, int calls, long serverNanos) {
        if (counts <= 0 || calls <= 0) {
            return;
        }
        int meanCount = (int) Math.max(1, counts / calls);
        if (serverNanos <= 0) {
            count = clamp((long) meanCount * 2);
            return;
        }
        double sample = serverNanos / (double) counts;
        nanosPerCount = Double.isNaN(nanosPerCount) ? sample : (nanosPerCount + sample) / 2;
        long ideal = (long) (targetNanos / nanosPerCount);
        long next = serverNanos / calls > budgetNanos / cursors ? ideal : Math.min(ideal, (long) meanCount * 2);
        count = clamp(next);
    }

    private int clamp(long value) {
        return (int) Math.max(min, Math.min(max, value));
    }
}
