package io.keyscan.examples.web;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition by checking it every {@code interval}, failing after {@code limit}: no fixed pauses. */
final class Poll {

    private Poll() {
    }

    static void until(String what, Duration limit, Duration interval, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up after " + limit.toSeconds() + " s waiting for " + what);
            }
            LockSupport.parkNanos(interval.toNanos());
        }
    }
}
