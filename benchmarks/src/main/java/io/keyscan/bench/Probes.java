package io.keyscan.bench;

import io.keyscan.testkit.LatencyProbe;
import io.lettuce.core.RedisURI;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * A {@link LatencyProbe} on each server a path lists, each in a JVM of its own: the one server, or every master of
 * a cluster. A run's probe delay is the longest PING round trip any of them saw: the worst wait of a client of any
 * master.
 */
final class Probes implements AutoCloseable {

    private final List<LatencyProbe> probes;

    private Probes(List<LatencyProbe> probes) {
        this.probes = probes;
    }

    /**
     * Starts a probe on each of {@code uris} (one per server; through the delaying proxy when the listings go
     * through one); closes those started if one fails to start.
     */
    static Probes start(List<RedisURI> uris) {
        List<LatencyProbe> probes = new ArrayList<>();
        try {
            for (RedisURI uri : uris) {
                probes.add(LatencyProbe.start(uri));
            }
        } catch (RuntimeException e) {
            new Probes(probes).close();
            throw e;
        }
        return new Probes(probes);
    }

    int size() {
        return probes.size();
    }

    /** Every probe starts a new measurement. */
    void reset() {
        for (LatencyProbe probe : probes) {
            probe.reset();
        }
    }

    /**
     * Every probe's round trips since the reset, in one histogram (nanoseconds), and the longest PING of any probe,
     * each probe read once the PING in flight at the end of the listing has completed
     * ({@link KeysVersusScanBenchmark#settle}). The histogram is read first: the longest PING, read after it, then
     * covers every round trip in it, so no percentile can come out above the maximum.
     */
    Reading read() {
        Histogram all = new Histogram(3);
        double max = 0;
        for (LatencyProbe probe : probes) {
            KeysVersusScanBenchmark.settle(probe);
            all.add(probe.roundTrips());
            max = Math.max(max, probe.maxMillis());
        }
        return new Reading(max, all);
    }

    /**
     * What the probes saw during a run.
     *
     * @param maxMillis the longest PING round trip of any probe
     * @param roundTrips every round trip of every probe, in nanoseconds
     */
    record Reading(double maxMillis, Histogram roundTrips) {
    }

    @Override
    public void close() {
        for (LatencyProbe probe : probes) {
            probe.close();
        }
    }
}
