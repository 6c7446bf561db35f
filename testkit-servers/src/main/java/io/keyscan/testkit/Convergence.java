package io.keyscan.testkit;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the testkit's deployments (cluster, Sentinel) share while they wait for server processes to converge: a short
 * pause between two polls of their state, and the fields of an {@code INFO} reply.
 */
final class Convergence {

    private Convergence() {
    }

    /**
     * A pause between two polls. Waiting for other processes to converge (gossip, Sentinel's periodic checks, an
     * election): there is nothing to synchronise on but their state, which is polled.
     */
    static void pause(String what) {
        try {
            TimeUnit.MILLISECONDS.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }

    /**
     * Polls {@code problem} (null: done) until it is done, up to {@code timeout}. A command failing meanwhile (a node
     * restarting or being reconfigured, a MOVED during a change) counts as not done yet.
     *
     * @param state what the processes say now, for the timeout's message
     */
    static void await(String what, Duration timeout, Supplier<String> problem, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String last;
            try {
                last = problem.get();
            } catch (RuntimeException e) {
                last = e.toString();
            }
            if (last == null) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + "; last: " + last + "\n" + state.get());
            }
            pause(what);
        }
    }

    /** The {@code field:value} lines of an INFO reply. */
    static Map<String, String> infoFields(String info) {
        Map<String, String> fields = new HashMap<>();
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }
}
