package io.keyscan.bench;

import io.keyscan.testkit.RedisServer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ServerCallTimer} on each server a path lists: the one server, or every master of a cluster. A run's SCAN
 * calls are the sum over the servers; its longest call is the longest single call on any of them; its server time
 * is the busiest server's (the masters of a cluster work at once, so the busiest one is the listing's floor).
 */
final class CallTimers implements AutoCloseable {

    private final List<ServerCallTimer> timers;

    private CallTimers(List<ServerCallTimer> timers) {
        this.timers = timers;
    }

    /** Configures a timer on each server; {@link #close()} restores them all, also when configuring one fails. */
    static CallTimers configure(List<? extends RedisServer> servers) {
        List<ServerCallTimer> timers = new ArrayList<>();
        try {
            for (RedisServer server : servers) {
                timers.add(ServerCallTimer.configure(server));
            }
        } catch (RuntimeException e) {
            new CallTimers(timers).close();
            throw e;
        }
        return new CallTimers(timers);
    }

    /** The method of the first server's timer; {@link #description()} tells when the servers differ. */
    ServerCallTimer.Method method() {
        return timers.get(0).method();
    }

    /** For the report: how the longest call was measured (and on how many servers). */
    String description() {
        Set<String> descriptions = new LinkedHashSet<>();
        for (ServerCallTimer timer : timers) {
            descriptions.add(timer.description());
        }
        String how = String.join("; on other servers: ", descriptions);
        return timers.size() == 1 ? how : how + "; on each of the " + timers.size() + " masters, the longest of them";
    }

    void beforeRun() {
        for (ServerCallTimer timer : timers) {
            timer.beforeRun();
        }
    }

    /** The SCAN calls of the run summed over the servers, and the longest {@code command} call on any of them. */
    ServerCallTimer.RunCalls afterRun(String command) {
        List<ServerCallTimer.RunCalls> calls = new ArrayList<>(timers.size());
        for (ServerCallTimer timer : timers) {
            calls.add(timer.afterRun(command));
        }
        return combine(calls);
    }

    /** Sum of the SCAN calls; the longest call of those known ({@code null} when none is); the busiest server's time. */
    static ServerCallTimer.RunCalls combine(List<ServerCallTimer.RunCalls> calls) {
        long scanCalls = 0;
        long busiest = 0;
        @Nullable Long longest = null;
        for (ServerCallTimer.RunCalls call : calls) {
            scanCalls += call.scanCalls();
            busiest = Math.max(busiest, call.serverMicros());
            if (call.maxCallMicros() != null) {
                longest = longest == null ? call.maxCallMicros() : Math.max(longest, call.maxCallMicros());
            }
        }
        return new ServerCallTimer.RunCalls(scanCalls, longest, busiest);
    }

    /** Sets back what each timer changed on its server. */
    @Override
    public synchronized void close() {
        for (ServerCallTimer timer : timers) {
            try {
                timer.close();
            } catch (RuntimeException e) {
                System.err.println("warning: could not restore a server's settings: " + e);
            }
        }
    }
}
