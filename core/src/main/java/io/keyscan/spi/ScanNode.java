package io.keyscan.spi;

import java.util.BitSet;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * One Redis server process, reached through one connection, that SCAN and KEYS run on.
 *
 * <p>Every method returns a cold publisher that sends exactly one command per subscription; cancelling the
 * subscription cancels the command. Keys are raw bytes so that no key is altered by decoding.
 */
public interface ScanNode {

    /** {@return where the node is, for messages and logs, e.g. {@code 127.0.0.1:6379}} Never contains credentials. */
    String address();

    /**
     * What identifies this node across two calls of {@link RedisKeyspace#nodes()}: a cluster node's id; the
     * address by default. A node id that was not there before means a new node (e.g. a promoted replica).
     *
     * @return the node's identity
     */
    default String id() {
        return address();
    }

    /**
     * The ids of every node of this node's shard as the topology tells now: the master serving the slots and each
     * of its replicas, this node among them; just {@link #id()} by default. A listing that walked the shard on one
     * of them (a master since demoted by a manual failover keeps replicating the shard) need not walk it again on a
     * new master.
     *
     * @return the ids of the shard's nodes
     */
    default java.util.Set<String> shardNodeIds() {
        return java.util.Set.of(id());
    }

    /**
     * The hash slots this node serves in a cluster (0..16383), empty for a standalone server. When a node's slots
     * grow between the start and the end of a listing (slots migrated to it), the listing walks it again.
     *
     * @return the slots served, empty when standalone
     */
    default BitSet slots() {
        return new BitSet();
    }

    /**
     * Sends one {@code SCAN cursor MATCH pattern COUNT count}.
     *
     * @param request the cursor, pattern, COUNT and TYPE to send
     * @return the page the server answered
     */
    Mono<ScanPage> scan(ScanRequest request);

    /**
     * Sends one {@code KEYS pattern}.
     *
     * @param pattern the pattern
     * @return the matching keys
     */
    Mono<List<byte[]>> keys(byte[] pattern);

    /**
     * The total time the server has spent executing SCAN, in microseconds: {@code usec} of {@code cmdstat_scan}
     * in {@code INFO commandstats}, 0 if SCAN has not run (or the statistics were reset). Auto-tuning reads it
     * every few pages: commands of one connection run in order, so a reading written right before a SCAN covers
     * exactly the SCANs written before it, and the difference between two readings is their server time, free of
     * network latency and of the server writing several replies at once.
     *
     * @return the server time of SCAN so far, in microseconds
     */
    Mono<Long> scanMicros();

    /**
     * The type of each key, as {@code TYPE} names it ({@code none} for a key that no longer exists), in the
     * order of {@code keys}: one TYPE per key, pipelined. Used to filter by type where SCAN cannot (servers before
     * 6.0, and the KEYS path).
     *
     * @param keys the keys
     * @return their types, in the same order
     */
    Mono<List<String>> types(List<byte[]> keys);

    /**
     * Sends one {@code EXISTS key}: whether the key exists (and has not expired).
     *
     * @param key the key
     * @return whether it exists
     */
    Mono<Boolean> exists(byte[] key);

    /**
     * The server process behind the connection, from {@code INFO server}, parsed with
     * {@link ServerInfo#parse(String)}; its {@code run_id} changes at every restart.
     *
     * @return the server process
     */
    Mono<ServerInfo> serverInfo();

    /**
     * A counter that changes every time the connection to this node is established again (reconnect after a
     * disconnect). A SCAN cursor is valid only on the server process that issued it; a changed epoch tells the
     * engine to check {@link #serverInfo()} before trusting a cursor, including when the client replayed a command
     * after reconnecting. The counter must change before any reply read on the new connection is delivered.
     *
     * @return the connection's current epoch
     */
    long connectionEpoch();
}
