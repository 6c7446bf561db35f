package io.keyscan.bench;

import io.keyscan.lettuce.LettuceKeyScanner;
import io.keyscan.testkit.DelayingTcpProxy;
import io.keyscan.testkit.LocalRedisCluster;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.RailsPerformanceDataset;
import io.keyscan.testkit.RedisServer;
import io.keyscan.testkit.RedisServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the benchmark lists: one Redis server, or every master of a Redis Cluster. Either way one Lettuce
 * connection carries every path, and the servers that a listing reaches (the server, or the masters) are the ones
 * whose calls are timed and whose clients are probed.
 */
abstract class Target implements AutoCloseable {

    /**
     * The server and its version, e.g. {@code Redis 7.0.15} or {@code Valkey 9.1.2} (the masters' if they differ).
     */
    abstract String version();

    /**
     * {@code Valkey 9.1.2} (Valkey's {@code valkey_version}: its {@code redis_version} is the Redis version it is
     * compatible with, 7.2.4) or {@code Redis 8.6.3}.
     */
    static String product(RedisServer server) {
        for (String line : server.admin().info("server").split("\r?\n")) {
            if (line.startsWith("valkey_version:")) {
                return "Valkey " + line.substring("valkey_version:".length()).trim();
            }
        }
        return "Redis " + server.version();
    }

    /** Where the server or the cluster came from, for the report. */
    abstract String source();

    /** {@code null} for one server; for a cluster, its masters and replicas in words, for the report. */
    abstract @Nullable String clusterDescription();

    /** The servers a listing reaches: the one server, or every master. */
    abstract List<RedisServer> servers();

    /** Where each probe connects: the servers' own addresses, or the proxy's when the listings go through one. */
    List<RedisURI> probeUris() {
        List<RedisURI> uris = new ArrayList<>();
        for (RedisServer server : servers()) {
            uris.add(server.redisUri());
        }
        return uris;
    }

    /** {@code null} over loopback; for the report, the added round trip and what it measured, in words. */
    @Nullable String network() {
        return null;
    }

    /** Every path on the target's one connection, KEYS first (see {@link ListingPath#all}). */
    abstract List<ListingPath> paths(List<Integer> counts, List<String> names);

    /** How the data is emptied before a dataset is loaded, for the progress line. */
    abstract String emptying();

    /** Empties the database, loads the dataset and checks that it holds exactly the dataset's keys. */
    abstract void load(RailsPerformanceDataset dataset);

    /** The keys held: the server's DBSIZE, or the sum over the masters. */
    long dbsize() {
        long keys = 0;
        for (RedisServer server : servers()) {
            keys += server.admin().dbsize();
        }
        return keys;
    }

    /** An admin connection to a server that holds keys (for RANDOMKEY), or to the first server. */
    RedisCommands<String, String> keyHolder() {
        for (RedisServer server : servers()) {
            if (server.admin().dbsize() > 0) {
                return server.admin();
            }
        }
        return servers().get(0).admin();
    }

    void checkLoaded(int size) {
        long dbsize = dbsize();
        if (dbsize != size) {
            throw new IllegalStateException("loaded " + size + " keys but the " + (clusterDescription() == null
                    ? "database holds " : "masters hold ") + dbsize);
        }
    }

    @Override
    public abstract void close();

    /**
     * The benchmark's own server ({@code url == null}) or the server at {@code url}. {@code ownBinary}: the own server
     * is a process of the binary {@link io.keyscan.testkit.RedisBinary#find()} names (as {@code --server} set it),
     * never a server of {@code KEYSCAN_TEST_REDIS_URL} or Docker. {@code addedRttNanos > 0}: every path and the probe
     * reach the server through a {@link DelayingTcpProxy} adding that round trip.
     */
    static Target standalone(@Nullable String url, boolean ownBinary, long addedRttNanos) {
        RedisServer server = url != null ? RedisServers.external(RedisURI.create(url))
                : ownBinary ? LocalRedisServer.start() : RedisServers.start();
        DelayingTcpProxy proxy = null;
        try {
            if (addedRttNanos > 0) {
                proxy = DelayingTcpProxy.addingRoundTrip(server, Duration.ofNanos(addedRttNanos));
            }
            return new Standalone(server, proxy);
        } catch (RuntimeException e) {
            if (proxy != null) {
                proxy.close();
            }
            server.close();
            throw e;
        }
    }

    /** A Redis Cluster of the benchmark's own: 3 masters, 1 replica each, on free local ports. */
    static Target ownCluster() {
        LocalRedisCluster cluster = LocalRedisCluster.start();
        try {
            return new Cluster(cluster, new ArrayList<>(cluster.masters()), cluster.redisUris(), cluster.source(),
                    cluster.replicas().size());
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * The Redis Cluster reached through {@code urls} (comma-separated node URIs), only read. Its masters are those
     * the cluster reports on connecting (serving slots, not failing); credentials and TLS of the first URI are
     * used for them.
     */
    static Target externalCluster(String urls) {
        List<RedisURI> seeds = new ArrayList<>();
        for (String url : urls.split(",")) {
            if (!url.isBlank()) {
                seeds.add(RedisURI.create(url.trim()));
            }
        }
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("--cluster-url names no node");
        }
        List<RedisServer> masters = new ArrayList<>();
        int replicas = 0;
        RedisClusterClient probe = RedisClusterClient.create(seeds);
        try (StatefulRedisClusterConnection<String, String> connection = probe.connect()) {
            for (RedisClusterNode node : connection.getPartitions()) {
                if (node.is(NodeFlag.FAIL) || node.is(NodeFlag.EVENTUAL_FAIL)) {
                    continue;
                }
                if (node.is(NodeFlag.UPSTREAM) && !node.hasNoSlots()) {
                    masters.add(RedisServers.external(RedisURI.builder(seeds.get(0))
                            .withHost(node.getUri().getHost()).withPort(node.getUri().getPort()).build()));
                } else if (node.is(NodeFlag.REPLICA)) {
                    replicas++;
                }
            }
        } finally {
            probe.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        String seed = seeds.get(0).getHost() + ":" + seeds.get(0).getPort();
        if (masters.isEmpty()) {
            throw new IllegalStateException("the cluster at " + seed + " reports no master serving slots");
        }
        masters.sort(Comparator.comparing((RedisServer master) -> master.redisUri().getHost())
                .thenComparingInt(master -> master.redisUri().getPort()));
        return new Cluster(null, masters, seeds, "the Redis Cluster reached through " + seed
                + (seeds.size() > 1 ? " (and " + (seeds.size() - 1) + " more seeds)" : ""), replicas);
    }

    /** One server, one connection (through the proxy, if any; set-up, loading and statistics go direct). */
    private static final class Standalone extends Target {
        private final RedisServer server;
        private final @Nullable DelayingTcpProxy proxy;
        private final @Nullable String network;
        private final RedisClient client;
        private final StatefulRedisConnection<String, String> connection;

        Standalone(RedisServer server, @Nullable DelayingTcpProxy proxy) {
            this.server = server;
            this.proxy = proxy;
            this.client = RedisClient.create(listingUri());
            try {
                this.connection = client.connect();
                this.network = proxy == null ? null : describe(proxy, server, connection);
            } catch (RuntimeException e) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                throw e;
            }
        }

        private RedisURI listingUri() {
            return proxy == null ? server.redisUri() : proxy.redisUri(server.redisUri());
        }

        @Override
        List<RedisURI> probeUris() {
            return List.of(listingUri());
        }

        @Override
        @Nullable String network() {
            return network;
        }

        @Override
        String version() {
            return product(server);
        }

        @Override
        String source() {
            return server.source();
        }

        @Override
        @Nullable String clusterDescription() {
            return null;
        }

        @Override
        List<RedisServer> servers() {
            return List.of(server);
        }

        @Override
        List<ListingPath> paths(List<Integer> counts, List<String> names) {
            return ListingPath.all(options -> LettuceKeyScanner.create(connection, options), connection.reactive(),
                    counts, names);
        }

        @Override
        String emptying() {
            return "FLUSHDB";
        }

        @Override
        void load(RailsPerformanceDataset dataset) {
            server.admin().flushdb();
            dataset.load(server);
            checkLoaded(dataset.entries().size());
        }

        @Override
        public void close() {
            try {
                connection.close();
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                if (proxy != null) {
                    proxy.close();
                }
                server.close();
            }
        }

        /**
         * The added round trip, and the PING round trips measured before the benchmark starts: the median of
         * {@value #RTT_SAMPLES} through the proxy (the listing connection) and direct (the admin connection).
         */
        private static String describe(DelayingTcpProxy proxy, RedisServer server,
                StatefulRedisConnection<String, String> connection) {
            double through = medianPingMillis(connection.sync()::ping);
            double direct = medianPingMillis(server.admin()::ping);
            return String.format(Locale.ROOT, "%s ms added round trip: every path and the probe go through testkit's "
                    + "DelayingTcpProxy, %s ms each way (PING round trip, median of %d: %s ms through it, %s ms "
                    + "direct)", Stats.fixed(proxy.addedRoundTrip().toNanos() / 1e6, 2),
                    Stats.fixed(proxy.delayEachWay().toNanos() / 1e6, 3), RTT_SAMPLES,
                    Stats.fixed(through, 3), Stats.fixed(direct, 3));
        }

        private static final int RTT_SAMPLES = 200;

        private static double medianPingMillis(Runnable ping) {
            List<Double> millis = new ArrayList<>();
            for (int i = 0; i < RTT_SAMPLES; i++) {
                long start = System.nanoTime();
                ping.run();
                millis.add((System.nanoTime() - start) / 1e6);
            }
            return Stats.median(millis);
        }
    }

    /** A Redis Cluster: one cluster connection; the masters are timed and probed. */
    private static final class Cluster extends Target {
        private final @Nullable LocalRedisCluster own;
        private final List<RedisServer> masters;
        private final String source;
        private final int replicas;
        private final RedisClusterClient client;
        private final StatefulRedisClusterConnection<String, String> connection;

        Cluster(@Nullable LocalRedisCluster own, List<RedisServer> masters, List<RedisURI> seeds, String source,
                int replicas) {
            this.own = own;
            this.masters = List.copyOf(masters);
            this.source = source;
            this.replicas = replicas;
            this.client = RedisClusterClient.create(seeds);
            try {
                this.connection = client.connect();
            } catch (RuntimeException e) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                throw e;
            }
        }

        @Override
        String version() {
            Set<String> versions = new LinkedHashSet<>();
            for (RedisServer master : masters) {
                versions.add(product(master));
            }
            return String.join(" / ", versions);
        }

        @Override
        String source() {
            return source;
        }

        @Override
        String clusterDescription() {
            List<String> addresses = new ArrayList<>();
            for (RedisServer master : masters) {
                addresses.add(master.redisUri().getHost() + ":" + master.redisUri().getPort());
            }
            return masters.size() + " masters (" + String.join(", ", addresses) + ") and " + replicas + " replicas"
                    + (own != null ? " (testkit's LocalRedisCluster, started by the benchmark)" : "")
                    + "; every listing reads the masters";
        }

        @Override
        List<RedisServer> servers() {
            return masters;
        }

        @Override
        List<ListingPath> paths(List<Integer> counts, List<String> names) {
            return ListingPath.all(options -> LettuceKeyScanner.create(connection, options), connection.reactive(),
                    counts, names);
        }

        @Override
        String emptying() {
            return "FLUSHALL on every master";
        }

        @Override
        void load(RailsPerformanceDataset dataset) {
            if (own == null) {
                throw new IllegalStateException("the benchmark only loads data into a cluster of its own");
            }
            own.flushAll();
            own.loadKeys(dataset.keys());
            checkLoaded(dataset.entries().size());
        }

        @Override
        public void close() {
            try {
                connection.close();
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                if (own != null) {
                    own.close(); // stops every node
                } else {
                    for (RedisServer master : masters) {
                        master.close(); // the admin connection only
                    }
                }
            }
        }
    }
}
