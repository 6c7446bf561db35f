package io.keyscan.spi;

import java.util.List;
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
     * cluster. Cold: evaluated at each subscription, so a topology change is seen by the next listing.
     */
    Mono<List<ScanNode>> nodes();

    /**
     * The server that holds {@code key}: the only node for a standalone server, the master of the key's slot
     * for a cluster. Used to answer a pattern that names one key with {@code EXISTS}.
     */
    Mono<ScanNode> nodeForKey(byte[] key);

    /**
     * Whether {@code error}, raised by one of this adapter's commands, may go away if the same command is sent
     * again: a command timeout, a connection refused or reset, or a server reply of {@code LOADING},
     * {@code BUSY}, {@code TRYAGAIN}, {@code MASTERDOWN}. Authentication and permission failures, unknown
     * commands and syntax errors are not transient.
     */
    boolean isTransient(Throwable error);

    /** Releases what the adapter owns (clients it created); leaves connections the application owns open. */
    @Override
    void close();
}
