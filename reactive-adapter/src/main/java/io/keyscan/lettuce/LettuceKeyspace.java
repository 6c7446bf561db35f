package io.keyscan.lettuce;

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
import java.time.Duration;
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
    public boolean isTransient(Throwable error) {
        return Failures.isTransient(error);
    }

    @Override
    public void close() {
        node.detach();
        if (ownedClient != null) {
            connection.close();
            ownedClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
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

    /** Which of Lettuce's failures may pass if the same command is sent again. */
    static final class Failures {

        private static final List<String> TRANSIENT_REPLIES = List.of("LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN",
                "CLUSTERDOWN");
        private static final List<String> NEVER_RETRIED_REPLIES = List.of("WRONGPASS", "NOAUTH", "NOPERM",
                "ERR UNKNOWN COMMAND", "ERR INVALID PASSWORD");

        private Failures() {
        }

        static boolean isTransient(Throwable error) {
            // An authentication or permission failure stays what it is however it is wrapped (e.g. a
            // RedisConnectionException whose cause is the server's WRONGPASS during the handshake).
            for (Throwable t = error; t != null; t = t.getCause()) {
                if (t instanceof RedisCommandExecutionException && startsWithAny(t.getMessage(), NEVER_RETRIED_REPLIES)) {
                    return false;
                }
            }
            for (Throwable t = error; t != null; t = t.getCause()) {
                if (t instanceof RedisCommandTimeoutException || t instanceof RedisConnectionException
                        || t instanceof RedisLoadingException || t instanceof RedisBusyException
                        || t instanceof IOException || t instanceof ClosedChannelException) {
                    return true;
                }
                if (t instanceof RedisCommandExecutionException) {
                    return startsWithAny(t.getMessage(), TRANSIENT_REPLIES);
                }
                if (t.getClass() == RedisException.class && isConnectionLoss(t.getMessage())) {
                    return true;
                }
            }
            return false;
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
