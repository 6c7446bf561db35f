package io.keyscan.spi;

import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * A client adapter's view of one Redis deployment (a standalone server or a cluster): the servers a full
 * listing must visit, and how the adapter's failures are to be treated.
 *
 * <p>This is the service provider interface between keyscan's engine and a Redis client. The engine owns
 * cursors, demand, timeouts, retries and ordering; an adapter only sends single commands. Implementations
 * must be thread-safe.
 */
public interface RedisKeyspace extends AutoCloseable {

    /**
     * The servers whose keys together make up the keyspace: one for a standalone server, one per shard for a
     * cluster. Cold: evaluated at each subscription. The engine asks again at the end of a listing, and walks
     * again the nodes that are new or gained slots meanwhile (a failover, a slot migration).
     *
     * @return the nodes to scan
     */
    Mono<List<ScanNode>> nodes();

    /**
     * The server that holds {@code key}: the only node for a standalone server, the node serving the key's slot
     * for a cluster. Used to answer a pattern that names one key with {@code EXISTS}, and to send a pattern whose
     * hash tag fixes the slot ({@code {user1}:*}) to the one node that can hold its keys.
     *
     * @param key the key
     * @return the node that holds it
     */
    Mono<ScanNode> nodeForKey(byte[] key);

    /**
     * The values of {@code keys} with {@code MGET}, in their order; {@code null} where a key does not exist (any
     * more) or holds another type than a string. On a cluster, split into one MGET per hash slot (MGET across
     * slots is a CROSSSLOT error) and merged back in order.
     *
     * @param keys the keys
     * @return their values, in the same order
     */
    Mono<List<byte @Nullable []>> values(List<byte[]> keys);

    /**
     * What {@code error}, raised by one of this adapter's commands, means: whether the same command may succeed if
     * sent again ({@link FailureKind#TIMEOUT}, {@link FailureKind#TRANSIENT}), or not. This is the only place the
     * client's exceptions and the server's error replies are interpreted; the engine never looks at exception
     * classes or messages itself. Authentication and permission failures stay permanent however they are wrapped.
     *
     * @param error what a command of this adapter failed with
     * @return its kind; {@link FailureKind#PERMANENT} for anything not known to pass
     */
    FailureKind classify(Throwable error);

    /** Releases what the adapter owns (clients it created); leaves connections the application owns open. */
    @Override
    void close();
}
