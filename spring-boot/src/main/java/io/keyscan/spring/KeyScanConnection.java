package io.keyscan.spring;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.lettuce.LettuceKeyScanner;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLHandshakeException;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConverters;

/**
 * keyscan's own connection, opened from the Lettuce client of the application's {@link LettuceConnectionFactory} (for
 * Sentinel, a client of keyscan's own built from the factory's configuration: see {@link #sentinel}): so
 * it has every setting Spring Data Redis gave that client (server or cluster nodes, credentials, database, TLS,
 * client name, client resources) without keyscan reading {@code spring.data.redis.*} itself, and it is not one of
 * the factory's shared or pooled connections, whose commands a long listing would otherwise share. Closed when the
 * context closes, after the {@link KeyScanner} built on it.
 */
final class KeyScanConnection implements AutoCloseable {

    /** Lettuce's own timeout is only a backstop behind keyscan's per-command timeout (as in LettuceKeyScanner). */
    private static final Duration LETTUCE_TIMEOUT_MARGIN = Duration.ofSeconds(5);

    private final @Nullable StatefulRedisConnection<String, String> standalone;
    private final @Nullable StatefulRedisClusterConnection<String, String> cluster;
    /** Through Sentinel: a scanner with its own client, which {@link #scanner} hands out once. */
    private final @Nullable KeyScanner sentinel;
    private final AtomicBoolean sentinelHandedOut = new AtomicBoolean();

    private KeyScanConnection(@Nullable StatefulRedisConnection<String, String> standalone,
            @Nullable StatefulRedisClusterConnection<String, String> cluster, @Nullable KeyScanner sentinel) {
        this.standalone = standalone;
        this.cluster = cluster;
        this.sentinel = sentinel;
    }

    /**
     * Opens a connection through {@code factory}'s client; for a Sentinel configuration, a scanner with a client of
     * its own built from the factory's Sentinel and client configuration (see {@link #sentinel}).
     *
     * @throws IllegalStateException for a static master/replica configuration, which keyscan cannot use, or when the
     *     connection cannot be opened; the message says which and never holds a password
     */
    static KeyScanConnection open(LettuceConnectionFactory factory, KeyScanOptions options) {
        RedisSentinelConfiguration sentinelConfiguration = factory.getSentinelConfiguration();
        if (sentinelConfiguration != null) {
            return new KeyScanConnection(null, null, sentinel(factory, sentinelConfiguration, options));
        }
        if (!factory.isRunning()) {
            // A factory with earlyStartup=false has no client until the context starts its lifecycle beans, which is
            // after this bean is created; starting it is what its own getConnection() would require too.
            factory.start();
        }
        AbstractRedisClient client = factory.getRequiredNativeClient();
        Duration timeout = options.commandTimeout().plus(LETTUCE_TIMEOUT_MARGIN);
        if (client instanceof RedisClusterClient clusterClient) {
            String where = describeCluster(factory);
            StatefulRedisClusterConnection<String, String> connection;
            try {
                connection = clusterClient.connect();
            } catch (RuntimeException e) {
                throw cannotConnect(where, e);
            }
            connection.setTimeout(timeout);
            return new KeyScanConnection(null, connection, null);
        }
        if (client instanceof RedisClient redisClient) {
            String where = factory.getSocketConfiguration() != null
                    ? "the Redis socket " + factory.getSocketConfiguration().getSocket()
                    : "Redis at " + factory.getHostName() + ":" + factory.getPort() + ", database " + factory.getDatabase();
            StatefulRedisConnection<String, String> connection;
            try {
                connection = redisClient.connect();
            } catch (IllegalStateException e) {
                // Of Spring Data Redis' configurations, only static master/replica builds a client without a server
                // of its own (it connects through Lettuce's MasterReplica to the nodes it lists), and Lettuce refuses
                // connect() on such a client with an IllegalStateException before any I/O.
                throw new IllegalStateException("keyscan cannot list keys through a static master/replica configuration "
                        + "(spring.data.redis.masterreplica.nodes or a RedisStaticMasterReplicaConfiguration): a "
                        + "Master/Replica connection may send each command to a different server, and a SCAN cursor "
                        + "means nothing to a server that did not issue it. Point a KeyScanner of your own at one "
                        + "server, e.g. LettuceKeyScanner.create(RedisURI, KeyScanOptions) with the injected "
                        + "KeyScanOptions bean, or exclude KeyScanAutoConfiguration.", e);
            } catch (RuntimeException e) {
                throw cannotConnect(where, e);
            }
            connection.setTimeout(timeout);
            return new KeyScanConnection(connection, null, null);
        }
        throw new IllegalStateException("keyscan supports Lettuce's RedisClient and RedisClusterClient, but the "
                + "LettuceConnectionFactory's client is a " + client.getClass().getName());
    }

    /**
     * A scanner through Redis Sentinel: to the master set's master (or, with {@code keyscan.read-from-replicas}, one
     * healthy replica), found through the Sentinels now and, for the master, at every reconnect, so that failovers are
     * followed (see {@link LettuceKeyScanner#create(RedisURI, ClientOptions, KeyScanOptions)}).
     *
     * <p>The URI is built as the factory builds its own client's: master name, Sentinel nodes with the Sentinel
     * username and password, the data nodes' username and password, database, TLS (SSL, peer verification, StartTLS),
     * client name, credentials providers; the factory's client options (e.g. an SSL bundle's trust) are kept, with
     * commands failing at once while disconnected, so that keyscan's retries wait out a failover. It is keyscan's own
     * client, not the factory's: Lettuce routes a connection of the factory's client to the master only, and keyscan
     * needs to pick a replica itself for {@code read-from-replicas}.
     */
    private static KeyScanner sentinel(LettuceConnectionFactory factory, RedisSentinelConfiguration configuration,
            KeyScanOptions options) {
        LettuceClientConfiguration client = factory.getClientConfiguration();
        RedisURI uri = LettuceConverters.sentinelConfigurationToRedisURI(configuration);
        List<RedisURI> all = new ArrayList<>(uri.getSentinels());
        all.add(uri);
        for (RedisURI each : all) {
            client.getClientName().ifPresent(each::setClientName);
            each.setSsl(client.isUseSsl());
            each.setVerifyPeer(client.getVerifyMode());
            each.setStartTls(client.isStartTls());
        }
        uri.setDatabase(factory.getDatabase());
        client.getRedisCredentialsProviderFactory().ifPresent(credentials -> {
            uri.setCredentialsProvider(credentials.createCredentialsProvider(configuration));
            RedisCredentialsProvider sentinelCredentials = credentials.createSentinelCredentialsProvider(configuration);
            uri.getSentinels().forEach(sentinel -> sentinel.setCredentialsProvider(sentinelCredentials));
        });
        ClientOptions clientOptions = client.getClientOptions().orElseGet(ClientOptions::create).mutate()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build();
        try {
            // the application's client resources (event loops, tracing, latency metrics), as its own client uses
            return client.getClientResources().isPresent()
                    ? LettuceKeyScanner.create(uri, client.getClientResources().get(), clientOptions, options)
                    : LettuceKeyScanner.create(uri, clientOptions, options);
        } catch (RuntimeException e) {
            throw cannotConnect("the " + (options.readFromReplicas() ? "replicas" : "master") + " of sentinel master "
                    + "set '" + uri.getSentinelMasterId() + "' through the Sentinels " + describeNodes(
                    configuration.getSentinels()), e);
        }
    }

    private static String describeNodes(Iterable<RedisNode> nodes) {
        List<String> addresses = new ArrayList<>();
        for (RedisNode node : nodes) {
            addresses.add(node.getHost() + ":" + node.getPort()); // never a URI: it could carry the password
        }
        return addresses.toString();
    }

    private static String describeCluster(LettuceConnectionFactory factory) {
        RedisClusterConfiguration configuration = factory.getClusterConfiguration();
        List<String> nodes = new ArrayList<>();
        if (configuration != null) {
            for (RedisNode node : configuration.getClusterNodes()) {
                nodes.add(node.getHost() + ":" + node.getPort()); // never a URI: it could carry the password
            }
        }
        return "the Redis Cluster at " + nodes;
    }

    private static IllegalStateException cannotConnect(String where, RuntimeException e) {
        // Lettuce's messages name the address, never the password.
        return new IllegalStateException("keyscan could not open its connection to " + where + " (from the "
                + "application's LettuceConnectionFactory, i.e. spring.data.redis.*): " + e.getMessage()
                + tlsAdvice(e), e);
    }

    /**
     * What to do when the TLS handshake failed, which Lettuce reports as "Unable to connect" with the reason a few
     * causes deep: usually a server certificate from a CA the JVM does not trust. Empty for any other failure.
     */
    static String tlsAdvice(Throwable failure) {
        @Nullable SSLHandshakeException handshake = null;
        boolean untrusted = false;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (handshake == null && t instanceof SSLHandshakeException h) {
                handshake = h;
            }
            // no trusted path from the server's certificate to a CA the client knows; not expiry or a name mismatch
            untrusted |= t instanceof CertPathBuilderException || t instanceof CertPathValidatorException;
        }
        if (handshake == null) {
            return "";
        }
        return ". The TLS handshake failed: " + handshake.getMessage() + (untrusted
                ? ". The server's certificate is not trusted: if a private CA signed it, trust that CA with an SSL "
                        + "bundle: spring.ssl.bundle.pem.<name>.truststore.certificate=<CA file> and "
                        + "spring.data.redis.ssl.bundle=<name>"
                : "");
    }

    /**
     * A scanner over this connection; closing the scanner leaves the connection open. Through Sentinel, the scanner
     * opened with its own client, which closing it shuts down.
     */
    KeyScanner scanner(KeyScanOptions options) {
        if (sentinel != null) {
            if (!sentinelHandedOut.compareAndSet(false, true)) {
                throw new IllegalStateException("the Sentinel scanner was already handed out");
            }
            return sentinel;
        }
        if (cluster != null) {
            return LettuceKeyScanner.create(cluster, options);
        }
        return LettuceKeyScanner.create(standaloneConnection(), options);
    }

    private StatefulRedisConnection<String, String> standaloneConnection() {
        if (standalone == null) {
            throw new IllegalStateException("no connection");
        }
        return standalone;
    }

    /** The connection, for tests. */
    StatefulConnection<String, String> connection() {
        return cluster != null ? cluster : standaloneConnection();
    }

    @Override
    public void close() {
        if (sentinel != null) {
            if (!sentinelHandedOut.get()) {
                sentinel.close(); // else the KeyScanner bean closes it
            }
            return;
        }
        // When the context closes, the factory (a Lifecycle bean) is stopped before any bean is destroyed, and
        // shutting its client down closes this connection too; closing it again would only log a warning.
        StatefulConnection<String, String> connection = connection();
        if (connection.isOpen()) {
            connection.close();
        }
    }
}
