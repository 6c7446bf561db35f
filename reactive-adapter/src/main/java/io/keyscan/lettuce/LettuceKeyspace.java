package io.keyscan.lettuce;

import io.keyscan.spi.FailureKind;
import io.keyscan.spi.RedisKeyspace;
import io.keyscan.spi.ScanNode;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/** A standalone Redis server (or a Sentinel-managed master or replica) reached through one Lettuce connection. */
final class LettuceKeyspace implements RedisKeyspace {

    private final LettuceScanNode node;
    private final List<ScanNode> nodes;
    private final StatefulRedisConnection<String, String> connection;
    private final @Nullable RedisClient ownedClient;

    LettuceKeyspace(StatefulRedisConnection<String, String> connection, @Nullable String address,
            @Nullable RedisClient ownedClient) {
        this(connection, address, null, ownedClient);
    }

    /** @param role what the server is, for messages (see {@link LettuceScanNode}), or {@code null} */
    LettuceKeyspace(StatefulRedisConnection<String, String> connection, @Nullable String address,
            @Nullable String role, @Nullable RedisClient ownedClient) {
        this.connection = connection;
        this.ownedClient = ownedClient;
        this.node = new LettuceScanNode(connection, address, role);
        this.nodes = List.of(node);
        node.learnAddress();
    }

    @Override
    public Mono<List<ScanNode>> nodes() {
        return Mono.just(nodes);
    }

    @Override
    public Mono<ScanNode> nodeForKey(byte[] key) {
        return Mono.just(node);
    }

    @Override
    public Mono<List<byte @Nullable []>> values(List<byte[]> keys) {
        return node.values(keys).map(values -> values);
    }

    @Override
    public FailureKind classify(Throwable error) {
        return Failures.classify(error);
    }

    @Override
    public void close() {
        node.detach();
        if (ownedClient != null) {
            connection.close();
            ClientShutdown.shutdown(ownedClient);
        }
    }

    /** {@code host:port} of a socket address, for messages; never credentials. */
    static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            return inet.getHostString() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /** What Lettuce's failures mean: the one place they are interpreted, for every adapter of this module. */
    static final class Failures {

        private static final List<String> TRANSIENT_REPLIES = List.of("LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN",
                "CLUSTERDOWN");
        private static final List<String> NEVER_RETRIED_REPLIES = List.of("WRONGPASS", "NOAUTH",
                "ERR INVALID PASSWORD", "ERR AUTH", "ERR CLIENT SENT AUTH");
        /** The server does not offer the command: renamed away, unknown, or denied by an ACL. */
        private static final List<String> UNAVAILABLE_REPLIES = List.of("NOPERM", "ERR UNKNOWN COMMAND");

        private Failures() {
        }

        static FailureKind classify(Throwable error) {
            // An authentication or permission failure stays what it is however it is wrapped (e.g. a
            // RedisConnectionException whose cause is the server's WRONGPASS during the handshake).
            for (Throwable t = error; t != null; t = t.getCause()) {
                if (t instanceof RedisCommandExecutionException) {
                    if (startsWithAny(t.getMessage(), UNAVAILABLE_REPLIES)) {
                        return FailureKind.COMMAND_UNAVAILABLE;
                    }
                    if (startsWithAny(t.getMessage(), NEVER_RETRIED_REPLIES)) {
                        return FailureKind.PERMANENT;
                    }
                }
                // A certificate the client does not trust stays untrusted (an IOException, but not a passing one).
                if (t instanceof SSLHandshakeException || t instanceof CertificateException) {
                    return FailureKind.PERMANENT;
                }
            }
            for (Throwable t = error; t != null; t = t.getCause()) {
                if (t instanceof RedisCommandTimeoutException) {
                    return FailureKind.TIMEOUT;
                }
                if (t instanceof RedisConnectionException || t instanceof RedisLoadingException
                        || t instanceof RedisBusyException || t instanceof IOException
                        || t instanceof ClosedChannelException) {
                    return FailureKind.TRANSIENT;
                }
                if (t instanceof RedisCommandExecutionException) {
                    return startsWithAny(t.getMessage(), TRANSIENT_REPLIES) ? FailureKind.TRANSIENT
                            : FailureKind.PERMANENT;
                }
                if (t.getClass() == RedisException.class && isConnectionLoss(t.getMessage())) {
                    return FailureKind.TRANSIENT;
                }
            }
            return FailureKind.PERMANENT;
        }

        private static boolean isConnectionLoss(@Nullable String message) {
            if (message == null) {
                return false;
            }
            String text = message.toLowerCase(Locale.ROOT);
            return text.contains("connection closed") || text.contains("connection disconnected")
                    || text.contains("connection reset") || text.contains("not connected");
        }

        private static boolean startsWithAny(@Nullable String message, List<String> prefixes) {
            if (message == null) {
                return false;
            }
            String upper = message.toUpperCase(Locale.ROOT);
            for (String prefix : prefixes) {
                if (upper.startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        }
    }
}
