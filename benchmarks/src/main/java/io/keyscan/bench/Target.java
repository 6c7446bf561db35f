package io.keyscan.bench;

import io.keyscan.lettuce.LettuceKeyScanner;
import io.keyscan.testkit.LocalRedisCluster;
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
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the benchmark lists: one Redis server, or every master of a Redis Cluster. Either way one Lettuce
 * connection carries every path, and the servers that a listing reaches (the server, or the masters) are the ones
 * whose calls are timed and whose clients are probed.
 */
abstract class Target implements AutoCloseable {

    /** The Redis version, e.g. {@code 7.0.15} (the versions of the masters if they differ). */
    abstract String version();

    /** Where the server or the cluster came from, for the report. */
    abstract String source();

    /** {@code null} for one server; for a cluster, its masters and replicas in words, for the report. */
    abstract @Nullable String clusterDescription();

    /** The servers a listing reaches: the one server, or every master. */
    abstract List<RedisServer> servers();

    /** Every path on the target's one connection, KEYS first (see {@link ListingPath#all}). */
    abstract List<ListingPath> paths(List<Integer> counts);

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

    /** The benchmark's own server ({@code url == null}) or the server at {@code url}. */
    static Target standalone(@Nullable String url) {
        RedisServer server = url == null ? RedisServers.start() : RedisServers.external(RedisURI.create(url));
        try {
            return new Standalone(server);
        } catch (RuntimeException e) {
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

    /** One server, one connection. */
    private static final class Standalone extends Target {
        private final RedisServer server;
        private final RedisClient client;
        private final StatefulRedisConnection<String, String> connection;

        Standalone(RedisServer server) {
            this.server = server;
            this.client = RedisClient.create(server.redisUri());
            try {
                this.connection = client.connect();
            } catch (RuntimeException e) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                throw e;
            }
        }

        @Override
        String version() {
            return server.version();
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
        List<ListingPath> paths(List<Integer> counts) {
            return ListingPath.all(options -> LettuceKeyScanner.create(connection, options), connection.reactive(),
                    counts);
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
                server.close();
            }
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
                versions.add(master.version());
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
        List<ListingPath> paths(List<Integer> counts) {
            return ListingPath.all(options -> LettuceKeyScanner.create(connection, options), connection.reactive(),
                    counts);
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
