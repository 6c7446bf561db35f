package io.keyscan.examples.export;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.lettuce.LettuceKeyScanner;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * One Redis server or one Redis Cluster: a byte-exact connection ({@link ByteArrayCodec}) for reading and writing
 * keys, and, for exports, a keyscan {@link KeyScanner} on a connection of its own. On a cluster, commands on a key
 * go to the node serving its slot (Lettuce routes them, following redirects and failovers).
 */
final class RedisTarget implements AutoCloseable {

    private final AbstractRedisClient client;
    private final StatefulConnection<byte[], byte[]> bytes;
    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final boolean cluster;
    private final String address;
    private @Nullable StatefulConnection<String, String> scannerConnection;
    private @Nullable KeyScanner scanner;

    private RedisTarget(AbstractRedisClient client, StatefulConnection<byte[], byte[]> bytes,
            RedisClusterAsyncCommands<byte[], byte[]> commands, boolean cluster, String address) {
        this.client = client;
        this.bytes = bytes;
        this.commands = commands;
        this.cluster = cluster;
        this.address = address;
    }

    /** Connects to one server now. */
    static RedisTarget standalone(RedisURI uri, Duration timeout) {
        return standalone(uri, timeout, null);
    }

    /** Connects to one server now; {@code ssl}: the CA to trust and the client certificate, null for the JVM's. */
    static RedisTarget standalone(RedisURI uri, Duration timeout, @Nullable SslOptions ssl) {
        RedisURI copy = RedisURI.builder(uri).build();
        copy.setTimeout(timeout);
        RedisClient client = RedisClient.create(copy);
        if (ssl != null) {
            client.setOptions(ClientOptions.builder().sslOptions(ssl).build());
        }
        try {
            StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
            return new RedisTarget(client, connection, connection.async(), false, address(List.of(copy)));
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            throw e;
        }
    }

    /** Connects to a cluster through {@code seeds} now; {@code ssl} as for {@link #standalone}. */
    static RedisTarget cluster(List<RedisURI> seeds, Duration timeout, @Nullable SslOptions ssl) {
        List<RedisURI> copies = new ArrayList<>();
        for (RedisURI seed : seeds) {
            RedisURI copy = RedisURI.builder(seed).build();
            copy.setTimeout(timeout);
            copies.add(copy);
        }
        RedisClusterClient client = RedisClusterClient.create(copies);
        // as LettuceKeyScanner.createCluster: follow failovers and new nodes without waiting for a periodic refresh
        // of the cached topology (Lettuce 7 enables every adaptive refresh trigger by default)
        ClusterClientOptions.Builder options = ClusterClientOptions.builder();
        if (ssl != null) {
            options.sslOptions(ssl);
        }
        client.setOptions(options
                .validateClusterNodeMembership(false)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(30))
                        .build())
                .build());
        try {
            StatefulRedisClusterConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE);
            return new RedisTarget(client, connection, connection.async(), true, address(copies));
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            throw e;
        }
    }

    /** host:port of each URI: for messages, never the URI itself, which may carry a password. */
    private static String address(List<RedisURI> uris) {
        StringJoiner joined = new StringJoiner(",");
        for (RedisURI uri : uris) {
            joined.add(uri.getHost() + ":" + uri.getPort());
        }
        return joined.toString();
    }

    /** A keyscan scanner over a String connection of its own (closed with this target). */
    synchronized KeyScanner scanner(KeyScanOptions options) {
        if (scanner != null) {
            throw new IllegalStateException("one scanner per target");
        }
        if (client instanceof RedisClusterClient clusterClient) {
            StatefulRedisClusterConnection<String, String> connection = clusterClient.connect();
            scannerConnection = connection;
            scanner = LettuceKeyScanner.create(connection, options);
        } else {
            StatefulRedisConnection<String, String> connection = ((RedisClient) client).connect();
            scannerConnection = connection;
            scanner = LettuceKeyScanner.create(connection, options);
        }
        return scanner;
    }

    /** Byte-exact commands; on a cluster, routed by key. */
    RedisClusterAsyncCommands<byte[], byte[]> commands() {
        return commands;
    }

    boolean isCluster() {
        return cluster;
    }

    /** {@code host:port} (comma-separated seeds on a cluster), without credentials. */
    String address() {
        return address;
    }

    @Override
    public synchronized void close() {
        if (scanner != null) {
            scanner.close();
        }
        if (scannerConnection != null) {
            scannerConnection.close();
        }
        bytes.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
