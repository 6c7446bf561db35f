package io.keyscan.bench;

import io.keyscan.testkit.LatencyProbe;
import io.keyscan.testkit.RedisServer;
import java.util.ArrayList;
import java.util.List;

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

    /** Starts a probe on each server; closes those started if one fails to start. */
    static Probes start(List<? extends RedisServer> servers) {
        List<LatencyProbe> probes = new ArrayList<>();
        try {
            for (RedisServer server : servers) {
                probes.add(LatencyProbe.start(server.redisUri()));
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

    /** The longest PING of any probe since the reset, each read as {@link KeysVersusScanBenchmark#probeMax}. */
    double maxMillis() {
        double max = 0;
        for (LatencyProbe probe : probes) {
            max = Math.max(max, KeysVersusScanBenchmark.probeMax(probe));
        }
        return max;
    }

    @Override
    public void close() {
        for (LatencyProbe probe : probes) {
            probe.close();
        }
    }
}
