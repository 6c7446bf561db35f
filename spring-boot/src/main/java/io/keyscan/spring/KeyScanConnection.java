package io.keyscan.spring;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.lettuce.LettuceKeyScanner;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * keyscan's own connection, opened from the Lettuce client of the application's {@link LettuceConnectionFactory}: so
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

    private KeyScanConnection(@Nullable StatefulRedisConnection<String, String> standalone,
            @Nullable StatefulRedisClusterConnection<String, String> cluster) {
        this.standalone = standalone;
        this.cluster = cluster;
    }

    /**
     * Opens a connection through {@code factory}'s client.
     *
     * @throws IllegalStateException for a Sentinel or static master/replica configuration, which keyscan cannot use,
     *     or when the connection cannot be opened; the message says which and never holds a password
     */
    static KeyScanConnection open(LettuceConnectionFactory factory, KeyScanOptions options) {
        if (factory.isRedisSentinelAware()) {
            throw new IllegalStateException("keyscan cannot list keys through Redis Sentinel (spring.data.redis.sentinel.*"
                    + " or a RedisSentinelConfiguration): a Sentinel-managed connection may send each command to a "
                    + "different server, and a SCAN cursor means nothing to a server that did not issue it. Point a "
                    + "KeyScanner of your own at the master, e.g. LettuceKeyScanner.create(RedisURI, KeyScanOptions) "
                    + "with the injected KeyScanOptions bean, or exclude KeyScanAutoConfiguration.");
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
            return new KeyScanConnection(null, connection);
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
            return new KeyScanConnection(connection, null);
        }
        throw new IllegalStateException("keyscan supports Lettuce's RedisClient and RedisClusterClient, but the "
                + "LettuceConnectionFactory's client is a " + client.getClass().getName());
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

    /** A scanner over this connection; closing the scanner leaves the connection open. */
    KeyScanner scanner(KeyScanOptions options) {
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
        // When the context closes, the factory (a Lifecycle bean) is stopped before any bean is destroyed, and
        // shutting its client down closes this connection too; closing it again would only log a warning.
        StatefulConnection<String, String> connection = connection();
        if (connection.isOpen()) {
            connection.close();
        }
    }
}
