package io.keyscan.lettuce;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.spi.KeyScanEngine;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Creates {@link KeyScanner}s that talk to Redis through Lettuce's reactive API.
 *
 * <pre>{@code
 * KeyScanner scanner = LettuceKeyScanner.create(connection, KeyScanOptions.fromEnvironment());
 * Mono<List<String>> keys = scanner.fetchKeys("performance|*datetime|20260204*|*END|1.0.2");
 * }</pre>
 *
 * <p>A standalone server, a Redis Cluster ({@link #createCluster(Iterable, KeyScanOptions)}) or a master set managed
 * by Redis Sentinel ({@code redis-sentinel://} URIs, see {@link #create(RedisURI, KeyScanOptions)}).
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
     * <p>A connection Lettuce made through Redis Sentinel ({@code RedisClient.connect(sentinelUri)}) is accepted: it
     * goes to the master, and Lettuce asks the Sentinels for the master again at every reconnect, so after a failover
     * the listing goes on on the new master (rescanned from cursor 0, since its {@code run_id} differs, and
     * de-duplicated). Give the retries room for the failover (see {@link #create(RedisURI, KeyScanOptions)}). Messages
     * name the server's address only: the connection does not tell keyscan the master set's name.
     * {@link KeyScanOptions#readFromReplicas()} does not apply: the connection goes where it goes.
     *
     * @param connection an open connection to one Redis server (directly, or to a master through Sentinel), with
     *     string keys
     * @param options the settings
     * @return the scanner
     * @throws IllegalArgumentException for a Master/Replica connection ({@code MasterReplica.connect}): it may send
     *     each command to a different server, so a SCAN cursor could reach a server that did not issue it
     */
    public static KeyScanner create(StatefulRedisConnection<String, String> connection, KeyScanOptions options) {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(options, "options");
        if (connection instanceof StatefulRedisMasterReplicaConnection) {
            throw new IllegalArgumentException("A Master/Replica connection sends each command to whichever server "
                    + "its ReadFrom picks, so a SCAN cursor could reach a server that did not issue it, and its "
                    + "reconnects cannot be observed. Pass a connection to one server (e.g. the master's URI, or a "
                    + "Sentinel URI: redis-sentinel://host:26379#mymaster).");
        }
        return KeyScanEngine.create(new LettuceKeyspace(connection, null, null), options);
    }

    /**
     * A scanner with its own Lettuce client, connected to {@code uri} now. Closing the scanner closes the
     * connection and shuts the client down.
     *
     * <p>A {@code rediss://} URI uses Lettuce's default client options, which trust the JVM's truststore only;
     * to trust a private CA, use {@link #create(RedisURI, ClientOptions, KeyScanOptions)}.
     *
     * <p><b>Redis Sentinel.</b> A Sentinel URI, e.g.
     * {@code redis-sentinel://:data-password@h1:26379,h2:26380,h3:26381/0#mymaster} (with a password for the
     * Sentinels set on each {@link RedisURI#getSentinels() Sentinel URI}), lists on the master set's current master:
     * Lettuce asks the Sentinels for it at every connect and reconnect. A failover ({@code SENTINEL FAILOVER}, or a
     * master that died) during a listing is followed: the listing goes on on the new master, which has another
     * {@code run_id}, so it is rescanned from cursor 0 and de-duplicated, as after a restart; every key is listed,
     * or the listing fails with an error naming the master set, never a shorter list. With
     * {@link KeyScanOptions#readFromReplicas()}, the scanner connects straight to one replica that a Sentinel
     * reports up and in sync, and stays on it: if that replica goes away, listings fail (after the retries) with an
     * error naming it and the master set; create the scanner again to pick another. Commands sent while the
     * connection is down fail at once (Lettuce's {@code REJECT_COMMANDS}) and are retried by keyscan, so the retry
     * budget must outlast a failover, i.e. the Sentinels' {@code down-after-milliseconds} plus a few seconds for the
     * election: backoffs are jittered into their upper half, so {@code n} attempts with a maximum backoff {@code m}
     * wait at least about {@code (n - 5) * m / 2}; e.g. {@code retryMaxAttempts(30).retryMaxBackoff(Duration.ofSeconds(1))}
     * waits 13 to 25 s, enough for {@code down-after-milliseconds 5000}. See {@code docs/SCAN_MIGRATION.md}.
     *
     * @param uri where to connect, e.g. {@code redis://localhost:6379}, {@code rediss://user:secret@host:6380} or
     *     {@code redis-sentinel://h1:26379,h2:26380/0#mymaster}
     * @param options the settings
     * @return the scanner
     * @throws io.lettuce.core.RedisConnectionException if the server cannot be reached, refuses the credentials,
     *     or presents a TLS certificate the JVM does not trust (the message then says so and how to trust it); for a
     *     Sentinel URI, if no Sentinel answers or (with readFromReplicas) no replica is up: the message names the
     *     master set and the Sentinels' addresses, never a password
     */
    public static KeyScanner create(RedisURI uri, KeyScanOptions options) {
        Objects.requireNonNull(uri, "uri");
        return create(uri, SentinelConnector.isSentinel(uri) ? SentinelConnector.defaultClientOptions()
                : ClientOptions.create(), options);
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
     * <p>A Sentinel URI is served as by {@link #create(RedisURI, KeyScanOptions)}, with these options as given
     * (consider {@code disconnectedBehavior(REJECT_COMMANDS)}, which that method sets, so that keyscan's retries
     * rather than Lettuce's queue wait out a failover).
     *
     * @param uri where to connect; {@code rediss://} for TLS (the peer is verified unless the URI says otherwise);
     *     {@code redis-sentinel://} or {@code rediss-sentinel://} for a master set managed by Sentinel
     * @param clientOptions Lettuce client options, e.g. {@link io.lettuce.core.SslOptions} for TLS
     * @param options the settings
     * @return the scanner
     * @throws io.lettuce.core.RedisConnectionException if the server cannot be reached, refuses the credentials,
     *     or presents a TLS certificate that {@code clientOptions} do not trust (the message then says so, with
     *     the JDK's reason, and how to trust it)
     * @throws IllegalArgumentException for a Sentinel URI without a master set name
     */
    public static KeyScanner create(RedisURI uri, ClientOptions clientOptions, KeyScanOptions options) {
        return connect(uri, null, clientOptions, options);
    }

    /**
     * {@link #create(RedisURI, ClientOptions, KeyScanOptions)} on the application's Lettuce {@link ClientResources}
     * (its event loops, and what is configured on them, such as tracing and command latency metrics), which the
     * scanner's client shares and leaves running when it is closed.
     *
     * @param uri where to connect: {@code redis://}, {@code rediss://} or {@code redis-sentinel://}
     * @param resources the application's client resources
     * @param clientOptions Lettuce client options, e.g. {@link io.lettuce.core.SslOptions} for TLS
     * @param options the settings
     * @return a scanner that owns its client (not {@code resources}) and closes it when closed
     * @throws io.lettuce.core.RedisConnectionException as {@link #create(RedisURI, ClientOptions, KeyScanOptions)}
     */
    public static KeyScanner create(RedisURI uri, ClientResources resources, ClientOptions clientOptions,
            KeyScanOptions options) {
        return connect(uri, Objects.requireNonNull(resources, "resources"), clientOptions, options);
    }

    private static KeyScanner connect(RedisURI uri, @Nullable ClientResources resources, ClientOptions clientOptions,
            KeyScanOptions options) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(clientOptions, "clientOptions");
        Objects.requireNonNull(options, "options");
        RedisURI copy = copy(uri);
        // Lettuce's own timeout is only a backstop behind keyscan's per-command timeout.
        copy.setTimeout(options.commandTimeout().plus(Duration.ofSeconds(5)));
        boolean sentinel = SentinelConnector.isSentinel(copy);
        // for messages: never the URI, it may hold a password
        String address = sentinel ? SentinelConnector.describe(copy) : copy.getHost() + ":" + copy.getPort();
        // Lettuce leaves resources it was given running when the client shuts down
        RedisClient client = resources == null ? RedisClient.create(copy) : RedisClient.create(resources, copy);
        try {
            client.setOptions(clientOptions);
            if (sentinel) {
                return sentinel(client, copy, options);
            }
            StatefulRedisConnection<String, String> connection = client.connect();
            return KeyScanEngine.create(new LettuceKeyspace(connection, address, client), options);
        } catch (RuntimeException e) {
            ClientShutdown.shutdown(client);
            throw TlsFailures.explain(e, address);
        }
    }

    private static KeyScanner sentinel(RedisClient client, RedisURI uri, KeyScanOptions options) {
        if (options.readFromReplicas()) {
            SentinelConnector.Replica replica = SentinelConnector.connectReplica(client, uri);
            return KeyScanEngine.create(new LettuceKeyspace(replica.connection, replica.address,
                    SentinelConnector.role(uri, true), client), options);
        }
        StatefulRedisConnection<String, String> connection = SentinelConnector.connectMaster(client, uri);
        // the master's address is learnt from the connection (and again after each failover)
        return KeyScanEngine.create(new LettuceKeyspace(connection, null, SentinelConnector.role(uri, false), client),
                options);
    }

    /**
     * A copy of {@code uri} to set keyscan's timeout on. {@link RedisURI#builder(RedisURI)} copies a server's address,
     * credentials, TLS and database, but not the Sentinels nor the master set's name: those are copied here.
     */
    static RedisURI copy(RedisURI uri) {
        RedisURI.Builder builder;
        if (uri.getSentinels().isEmpty()) {
            builder = RedisURI.builder(uri);
        } else {
            // builder(uri) would also keep no host, and build() insists on one unless a Sentinel is added first
            builder = RedisURI.builder();
            // TLS settings first: Lettuce's withSsl/withVerifyPeer/withStartTls also change every Sentinel added
            // before, and each Sentinel keeps its own
            builder.withSsl(uri).withAuthentication(uri).withTimeout(uri.getTimeout()).withDatabase(uri.getDatabase());
            for (RedisURI sentinel : uri.getSentinels()) {
                builder.withSentinel(RedisURI.builder(sentinel).build());
            }
            if (uri.getLibraryName() != null) {
                builder.withLibraryName(uri.getLibraryName());
            }
            if (uri.getLibraryVersion() != null) {
                builder.withLibraryVersion(uri.getLibraryVersion());
            }
            if (uri.getClientName() != null) {
                builder.withClientName(uri.getClientName());
            }
            if (uri.getSentinelMasterId() != null) {
                builder.withSentinelMasterId(uri.getSentinelMasterId());
            }
        }
        return builder.build();
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
     * @return the scanner
     */
    public static KeyScanner create(StatefulRedisClusterConnection<String, String> connection, KeyScanOptions options) {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(options, "options");
        return KeyScanEngine.create(new LettuceClusterKeyspace(connection, options.readFromReplicas(),
                options.commandTimeout(), null), options);
    }

    /**
     * A scanner with its own cluster client, connected now through {@code seeds}; closing the scanner shuts the
     * client down. See {@link #create(StatefulRedisClusterConnection, KeyScanOptions)}.
     *
     * @param seeds one or more nodes of the cluster, e.g. {@code RedisURI.create("redis://10.0.0.1:7000")}
     * @param options the settings
     * @return the scanner
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
     *
     * @param seeds one or more nodes of the cluster
     * @param clientOptions Lettuce cluster client options
     * @param options the settings
     * @return the scanner
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
            return KeyScanEngine.create(new LettuceClusterKeyspace(connection, options.readFromReplicas(),
                    options.commandTimeout(), client), options);
        } catch (RuntimeException e) {
            ClientShutdown.shutdown(client);
            throw e;
        }
    }

    /**
     * A scanner with its own client; see {@link #create(RedisURI, KeyScanOptions)}.
     *
     * @param uri a Redis URI string such as {@code redis://localhost:6379/0}
     * @param options the settings
     * @return the scanner
     */
    public static KeyScanner create(String uri, KeyScanOptions options) {
        Objects.requireNonNull(uri, "uri");
        return create(RedisURI.create(uri), options);
    }
}
