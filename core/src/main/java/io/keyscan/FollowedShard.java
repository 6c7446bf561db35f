package io.keyscan;

import io.keyscan.spi.ScanNode;
import io.keyscan.spi.ScanPage;
import io.keyscan.spi.ScanRequest;
import io.keyscan.spi.ServerInfo;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * One shard of a cluster, followed from server to server: the node that serves its slots now. After a command to
 * it failed or was given up on (a command to a dead server does not fail: the client holds it while it reconnects,
 * until keyscan's timeout cancels it), the next command first asks the keyspace for its nodes and, if the server
 * it was on no longer serves slots, moves to the one that serves the shard's first slot (a promoted replica). Its
 * {@link #connectionEpoch()} then changes, so the listing checks which process answers before trusting a cursor.
 *
 * <p>This is the engine's job, not the adapter's: a {@link ScanNode} sends exactly the command it is asked for.
 * Thread-safe.
 */
final class FollowedShard implements ScanNode {

    private static final Logger log = LoggerFactory.getLogger(FollowedShard.class);

    private final Supplier<Mono<List<ScanNode>>> topology;
    private final Duration timeout;
    private final int anchorSlot;
    /** The slots the walk started on: a slot the shard gained later, even before a move, is a gained slot. */
    private final BitSet walkedSlots;

    /** The server the shard is on and how many moves it took to get there: one value, so read together. */
    private record Location(ScanNode server, long moves) {
    }

    // Written under this, read without.
    private volatile Location location;
    /** A command failed or was given up on since the last look at the topology. */
    private volatile boolean suspect;

    /**
     * @param server the node the shard is on now; must serve slots
     * @param topology the keyspace's nodes, asked anew at each subscription
     * @param timeout how long a look at the topology may take before the command is sent where it was
     */
    FollowedShard(ScanNode server, Supplier<Mono<List<ScanNode>>> topology, Duration timeout) {
        this.location = new Location(server, 0);
        this.topology = topology;
        this.timeout = timeout;
        this.walkedSlots = server.slots();
        this.anchorSlot = walkedSlots.nextSetBit(0);
        if (anchorSlot < 0) {
            throw new IllegalArgumentException(server.address() + " serves no slots: not a cluster shard");
        }
    }

    /** {@code node} followed across failovers if it is a cluster shard (it serves slots); else {@code node}. */
    static ScanNode of(ScanNode node, Supplier<Mono<List<ScanNode>>> topology, Duration timeout) {
        return node instanceof FollowedShard || node.slots().isEmpty() ? node
                : new FollowedShard(node, topology, timeout);
    }

    @Override
    public String address() {
        return location.server().address();
    }

    @Override
    public String id() {
        return location.server().id();
    }

    @Override
    public BitSet slots() {
        return (BitSet) walkedSlots.clone();
    }

    @Override
    public Set<String> shardNodeIds() {
        return location.server().shardNodeIds();
    }

    @Override
    public long connectionEpoch() {
        // the connection's own epoch counts its reconnects; a move to another server must change it too
        Location now = location;
        return (now.moves() << 32) + now.server().connectionEpoch();
    }

    @Override
    public Mono<ScanPage> scan(ScanRequest request) {
        return onServer(server -> server.scan(request));
    }

    @Override
    public Mono<List<byte[]>> keys(byte[] pattern) {
        return onServer(server -> server.keys(pattern));
    }

    @Override
    public Mono<Long> scanMicros() {
        return onServer(ScanNode::scanMicros);
    }

    @Override
    public Mono<List<String>> types(List<byte[]> keys) {
        return onServer(server -> server.types(keys));
    }

    @Override
    public Mono<Boolean> exists(byte[] key) {
        return onServer(server -> server.exists(key));
    }

    @Override
    public Mono<ServerInfo> serverInfo() {
        return onServer(ScanNode::serverInfo);
    }

    /**
     * Completes once the shard is where the topology says, after a look at it if a command failed since the last
     * one. The walk waits for it before it reads {@link #connectionEpoch()} to decide whether to trust its cursor,
     * so that a cursor is never sent to the server the shard moved to.
     */
    Mono<Void> located() {
        return Mono.defer(() -> suspect ? follow() : Mono.empty());
    }

    private <T> Mono<T> onServer(Function<ScanNode, Mono<T>> command) {
        Mono<T> send = Mono.defer(() -> command.apply(location.server()))
                .doOnError(error -> suspect = true)
                .doOnCancel(() -> suspect = true);
        return Mono.defer(() -> suspect ? follow().then(send) : send);
    }

    /**
     * Moves to the node that serves the shard's first slot, if the server the shard was on serves none any more.
     * A failed look is not an error: the command goes where it went, and fails or passes there.
     */
    private Mono<Void> follow() {
        return Mono.defer(topology).timeout(timeout).doOnNext(nodes -> {
            ScanNode from = location.server();
            ScanNode to = null;
            for (ScanNode node : nodes) {
                if (node.id().equals(from.id())) {
                    to = null;
                    break; // still serving: a reconnect, not a move
                }
                if (node.slots().get(anchorSlot)) {
                    to = node;
                }
            }
            synchronized (this) {
                suspect = false;
                Location now = location;
                if (to != null && now.server() == from) {
                    location = new Location(to, now.moves() + 1);
                }
            }
            if (to != null) {
                log.info("Shard of slot {} moved from {} to {}", anchorSlot, from.address(), to.address());
            }
        }).onErrorResume(error -> {
            log.debug("Looking where the shard of slot {} is failed; the command goes where it went: {}", anchorSlot,
                    error.toString());
            return Mono.empty();
        }).then();
    }
}
