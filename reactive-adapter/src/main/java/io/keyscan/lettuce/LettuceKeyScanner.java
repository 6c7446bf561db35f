package io.keyscan.lettuce;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Creates {@link KeyScanner}s that talk to Redis through Lettuce's reactive API.
 *
 * <pre>{@code
 * KeyScanner scanner = LettuceKeyScanner.create(connection, KeyScanOptions.fromEnvironment());
 * Mono<List<String>> keys = scanner.fetchKeys("performance|*datetime|20260204*|*END|1.0.2");
 * }</pre>
 */
public final class LettuceKeyScanner {

    private LettuceKeyScanner() {
    }

    /**
     * A scanner over a connection the application owns and keeps open. Commands share the connection with the
     * application's own, pipelined. Create one scanner per connection and keep it: it registers a listener on the
     * connection (to see reconnects), which {@link KeyScanner#close()} removes; closing the scanner leaves the
     * connection open.
     *
     * @param connection an open connection to one Redis server, with string keys
     * @param options the settings
     * @throws IllegalArgumentException for a Master/Replica (or Sentinel-managed) connection: it may send each
     *     command to a different server, so a SCAN cursor could reach a server that did not issue it
     */
    public static KeyScanner create(StatefulRedisConnection<String, String> connection, KeyScanOptions options) {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(options, "options");
        if (connection instanceof StatefulRedisMasterReplicaConnection) {
            throw new IllegalArgumentException("A Master/Replica connection sends each command to whichever server "
                    + "its ReadFrom picks, so a SCAN cursor could reach a server that did not issue it, and its "
                    + "reconnects cannot be observed. Pass a connection to one server (e.g. the master's URI).");
        }
        return KeyScanner.create(new LettuceKeyspace(connection, null, null), options);
    }

    /**
     * A scanner with its own Lettuce client, connected to {@code uri} now. Closing the scanner closes the
     * connection and shuts the client down.
     *
     * <p>A {@code rediss://} URI uses Lettuce's default client options, which trust the JVM's truststore only;
     * to trust a private CA, use {@link #create(RedisURI, ClientOptions, KeyScanOptions)}.
     *
     * @param uri where to connect, e.g. {@code redis://localhost:6379} or {@code rediss://user:secret@host:6380}
     * @param options the settings
     * @throws io.lettuce.core.RedisConnectionException if the server cannot be reached, refuses the credentials,
     *     or presents a TLS certificate the JVM does not trust (the message then says so and how to trust it)
     */
    public static KeyScanner create(RedisURI uri, KeyScanOptions options) {
        return create(uri, ClientOptions.create(), options);
    }

    /**
     * A scanner with its own Lettuce client using {@code clientOptions}, connected to {@code uri} now; closing
     * the scanner closes the connection and shuts the client down. This is the way to TLS with a private CA:
     *
     * <pre>{@code
     * ClientOptions tls = ClientOptions.builder()
     *         .sslOptions(SslOptions.builder().trustManager(new File("ca.crt")).build())
     *         .build();
     * KeyScanner scanner = LettuceKeyScanner.create(RedisURI.create("rediss://redis.internal:6380"), tls, options);
     * }</pre>
     *
     * @param uri where to connect; {@code rediss://} for TLS (the peer is verified unless the URI says otherwise)
     * @param clientOptions Lettuce client options, e.g. {@link io.lettuce.core.SslOptions} for TLS
     * @param options the settings
     * @throws io.lettuce.core.RedisConnectionException if the server cannot be reached, refuses the credentials,
     *     or presents a TLS certificate that {@code clientOptions} do not trust (the message then says so, with
     *     the JDK's reason, and how to trust it)
     */
    public static KeyScanner create(RedisURI uri, ClientOptions clientOptions, KeyScanOptions options) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(clientOptions, "clientOptions");
        Objects.requireNonNull(options, "options");
        RedisURI copy = RedisURI.builder(uri).build();
        // Lettuce's own timeout is only a backstop behind keyscan's per-command timeout.
        copy.setTimeout(options.commandTimeout().plus(Duration.ofSeconds(5)));
        String address = copy.getHost() + ":" + copy.getPort(); // for messages: never the URI, it may hold a password
        RedisClient client = RedisClient.create(copy);
        try {
            client.setOptions(clientOptions);
            StatefulRedisConnection<String, String> connection = client.connect();
            return KeyScanner.create(new LettuceKeyspace(connection, address, client), options);
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            throw TlsFailures.explain(e, address);
        }
    }

    /**
     * A scanner over a Redis Cluster connection the application owns and keeps open: every shard is scanned (its
     * master, or one replica with {@link KeyScanOptions#readFromReplicas()}), concurrently up to
     * {@link KeyScanOptions#nodeConcurrency()}; a pattern whose hash tag fixes the slot ({@code {user1}:*}) only on
     * the node serving it. Failovers and slot migrations during a listing are followed (see
     * {@code docs/cluster.md}); give the retries room for a failover to complete, e.g.
     * {@code retryMaxAttempts(10).retryMaxBackoff(Duration.ofSeconds(2))} for a {@code cluster-node-timeout} of a few
     * seconds.
     *
     * @param connection an open cluster connection with string keys
     * @param options the settings
     */
    public static KeyScanner create(StatefulRedisClusterConnection<String, String> connection, KeyScanOptions options) {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(options, "options");
        return KeyScanner.create(new LettuceClusterKeyspace(connection, options.readFromReplicas(),
                options.commandTimeout(), null), options);
    }

    /**
     * A scanner with its own cluster client, connected now through {@code seeds}; closing the scanner shuts the
     * client down. See {@link #create(StatefulRedisClusterConnection, KeyScanOptions)}.
     *
     * @param seeds one or more nodes of the cluster, e.g. {@code RedisURI.create("redis://10.0.0.1:7000")}
     * @param options the settings
     */
    public static KeyScanner createCluster(Iterable<RedisURI> seeds, KeyScanOptions options) {
        return createCluster(seeds, ClusterClientOptions.builder()
                // follow failovers and new nodes without waiting for a refresh of Lettuce's cached topology
                .validateClusterNodeMembership(false)
                // adaptive refresh triggers are all on by default since Lettuce 7
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(30))
                        .build())
                .build(), options);
    }

    /**
     * A scanner with its own cluster client built with {@code clientOptions} (e.g. TLS); see
     * {@link #createCluster(Iterable, KeyScanOptions)}.
     */
    public static KeyScanner createCluster(Iterable<RedisURI> seeds, ClusterClientOptions clientOptions,
            KeyScanOptions options) {
        Objects.requireNonNull(seeds, "seeds");
        Objects.requireNonNull(clientOptions, "clientOptions");
        Objects.requireNonNull(options, "options");
        List<RedisURI> uris = new ArrayList<>();
        for (RedisURI seed : seeds) {
            RedisURI copy = RedisURI.builder(Objects.requireNonNull(seed, "seed")).build();
            copy.setTimeout(options.commandTimeout().plus(Duration.ofSeconds(5)));
            uris.add(copy);
        }
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("seeds must name at least one cluster node");
        }
        RedisClusterClient client = RedisClusterClient.create(uris);
        client.setOptions(clientOptions);
        try {
            StatefulRedisClusterConnection<String, String> connection = client.connect();
            return KeyScanner.create(new LettuceClusterKeyspace(connection, options.readFromReplicas(),
                    options.commandTimeout(), client), options);
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            throw e;
        }
    }

    /**
     * A scanner with its own client; see {@link #create(RedisURI, KeyScanOptions)}.
     *
     * @param uri a Redis URI string such as {@code redis://localhost:6379/0}
     * @param options the settings
     */
    public static KeyScanner create(String uri, KeyScanOptions options) {
        Objects.requireNonNull(uri, "uri");
        return create(RedisURI.create(uri), options);
    }
}
