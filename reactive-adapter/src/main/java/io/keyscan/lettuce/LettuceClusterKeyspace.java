package io.keyscan.lettuce;

import io.keyscan.spi.FailureKind;
import io.keyscan.spi.RedisKeyspace;
import io.keyscan.spi.ScanNode;
import io.keyscan.spi.ScanPage;
import io.keyscan.spi.ScanRequest;
import io.keyscan.spi.ServerInfo;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.models.partitions.ClusterPartitionParser;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.protocol.ConnectionIntent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A Redis Cluster reached through one Lettuce cluster connection: one {@link ScanNode} per shard, on its master
 * or, with {@code readFromReplicas}, on one of its replicas.
 *
 * <p>The topology is read from the servers ({@code CLUSTER NODES}) at every listing's start and end, not taken
 * from Lettuce's cached view, which changes only on its own refresh schedule. A shard node stays on the server it
 * was created for; when that server fails (its master was killed, say), the engine asks for the nodes again and
 * moves the listing of the shard to the server that serves it now.
 */
final class LettuceClusterKeyspace implements RedisKeyspace {

    private final StatefulRedisClusterConnection<String, String> cluster;
    private final @Nullable RedisClusterClient ownedClient;
    private final boolean readFromReplicas;
    private final Duration timeout;
    /**
     * One node per server connection, reused so that its reconnect listener is registered once. Connecting is
     * asynchronous: these are resolved on Lettuce's event loops, which a blocking connect would deadlock.
     */
    private final ConcurrentMap<String, Mono<LettuceScanNode>> servers = new ConcurrentHashMap<>();

    LettuceClusterKeyspace(StatefulRedisClusterConnection<String, String> cluster, boolean readFromReplicas,
            Duration timeout, @Nullable RedisClusterClient ownedClient) {
        this.cluster = cluster;
        this.readFromReplicas = readFromReplicas;
        this.timeout = timeout;
        this.ownedClient = ownedClient;
    }

    @Override
    public Mono<List<ScanNode>> nodes() {
        return shards().flatMap(shards -> Flux.fromIterable(shards)
                .concatMap(shard -> server(shard).<ScanNode>map(server -> new ShardNode(shard, server)))
                .collectList());
    }

    @Override
    public Mono<ScanNode> nodeForKey(byte[] key) {
        int slot = SlotHash.getSlot(key);
        return shards().flatMap(shards -> {
            for (Shard shard : shards) {
                if (shard.slots.get(slot)) {
                    return server(shard).<ScanNode>map(server -> new ShardNode(shard, server));
                }
            }
            return Mono.error(new IllegalStateException("no cluster node serves slot " + slot
                    + " (the cluster is missing slots)"));
        });
    }

    /**
     * One MGET per hash slot (MGET across slots is a CROSSSLOT error), each on the node chosen to list that slot's
     * shard in the current topology (its master, or a replica under {@code readFromReplicas}, which keeps the load
     * off the masters; a replica may lag a little), at most four at once, merged back in the order of {@code keys}.
     */
    @Override
    public Mono<List<byte @Nullable []>> values(List<byte[]> keys) {
        Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            bySlot.computeIfAbsent(SlotHash.getSlot(keys.get(i)), slot -> new ArrayList<>()).add(i);
        }
        return shards().flatMap(shards -> Flux.fromIterable(bySlot.entrySet())
                .flatMap(slot -> {
                    Shard shard = null;
                    for (Shard candidate : shards) {
                        if (candidate.slots.get(slot.getKey())) {
                            shard = candidate;
                        }
                    }
                    if (shard == null) {
                        return Mono.error(new IllegalStateException("no cluster node serves slot " + slot.getKey()));
                    }
                    List<byte[]> slotKeys = new ArrayList<>(slot.getValue().size());
                    for (int index : slot.getValue()) {
                        slotKeys.add(keys.get(index));
                    }
                    return server(shard).flatMap(server -> server.values(slotKeys))
                            .map(values -> Map.entry(slot.getValue(), values));
                }, 4)
                .collectList()
                .map(parts -> {
                    List<byte @Nullable []> values = new ArrayList<>(java.util.Collections.nCopies(keys.size(), null));
                    for (Map.Entry<List<Integer>, List<byte[]>> part : parts) {
                        for (int i = 0; i < part.getKey().size(); i++) {
                            values.set(part.getKey().get(i), part.getValue().get(i));
                        }
                    }
                    return values;
                }));
    }

    /** MOVED and ASK (a slot moving between nodes) pass once the topology is read again: worth a retry. */
    @Override
    public FailureKind classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof io.lettuce.core.RedisCommandExecutionException
                    && (message.startsWith("MOVED") || message.startsWith("ASK"))) {
                return FailureKind.TRANSIENT;
            }
        }
        return LettuceKeyspace.Failures.classify(error);
    }

    @Override
    public void close() {
        // only those connected: a server whose connection failed has nothing to detach
        servers.values().forEach(server -> server.toFuture().thenAccept(LettuceScanNode::detach));
        if (ownedClient != null) {
            cluster.close();
            ClientShutdown.shutdown(ownedClient);
        }
    }

    /** A shard: its slots, its master and replicas. */
    static final class Shard {
        final BitSet slots = new BitSet();
        final RedisClusterNode master;
        final List<RedisClusterNode> replicas;
        /** The ids of the master and of every node replicating it, whatever its state. */
        final Set<String> nodeIds = new HashSet<>();

        Shard(RedisClusterNode master, List<RedisClusterNode> replicas) {
            this.master = master;
            this.replicas = replicas;
        }
    }

    /**
     * The shards as the cluster tells them now: {@code CLUSTER NODES} on the cluster connection's default node,
     * or, if that fails, on each node Lettuce knows until one answers. (Not {@code CLUSTER SLOTS}: it leaves out
     * replicas whose replication offset the answering node has not heard of yet, which on a young cluster can be
     * all of them.)
     *
     * <p>A node that never learnt its own address (the one node of a one-node cluster) gives none in its own line,
     * {@code <id> :port@cport myself,master ...}: it is taken to be where the client reached it, as Lettuce's
     * topology refresh does. The default connection goes to a node of Lettuce's topology, at the address Lettuce
     * holds for it; a node asked directly was reached at the address asked.
     */
    Mono<List<Shard>> shards() {
        Function<RedisClusterNode, @Nullable RedisURI> known = node -> knownAddress(node.getNodeId());
        Mono<List<Shard>> fromDefault = Mono.defer(() -> cluster.reactive().clusterNodes()).timeout(timeout)
                .map(nodes -> group(nodes, known));
        Flux<Mono<List<Shard>>> fromEach = Flux.defer(() -> Flux.fromIterable(cluster.getPartitions()))
                .filter(LettuceClusterKeyspace::hasAddress)
                .map(RedisClusterNode::getUri)
                .map(asked -> Mono.fromFuture(() -> cluster.getConnectionAsync(asked.getHost(), asked.getPort(),
                                ConnectionIntent.READ))
                        .flatMap(connection -> connection.reactive().clusterNodes())
                        .timeout(timeout)
                        .map(nodes -> group(nodes, node -> node.is(RedisClusterNode.NodeFlag.MYSELF) ? asked
                                : known.apply(node))));
        return fromDefault
                .onErrorResume(first -> fromEach.concatMap(ask -> ask.onErrorResume(error -> Mono.empty()), 1)
                        .next()
                        .switchIfEmpty(Mono.error(first)));
    }

    /** Where Lettuce's topology, which fills in the addresses it reached nodes at, has the node; null if nowhere. */
    private @Nullable RedisURI knownAddress(String nodeId) {
        RedisClusterNode node = cluster.getPartitions().getPartitionByNodeId(nodeId);
        return node != null && hasAddress(node) ? node.getUri() : null;
    }

    /**
     * Masters serving slots, each with its replicas that are up. A master marked failed keeps its shard: it still
     * serves the slots until a replica takes over, and leaving it out would silently drop its keys; its commands
     * fail instead, and the shard node follows the shard to its new master.
     *
     * <p>Each node is reached where its line says: at the hostname it announces ({@code ip:port@cport,hostname},
     * which Redis writes whenever {@code cluster-announce-hostname} is set), which Lettuce's parser prefers and so
     * Lettuce's topology holds too, else at its ip. A
     * node whose line gives no host is reached where {@code addressOf} says; a master serving slots that has no
     * address either fails the listing (its keys cannot be listed), and a replica with none is not read from.
     *
     * @param addressOf where a node whose line gives no host was reached, or null if unknown
     * @throws IllegalStateException if a master serving slots has no address
     */
    static List<Shard> group(String clusterNodes, Function<RedisClusterNode, @Nullable RedisURI> addressOf) {
        Partitions partitions = ClusterPartitionParser.parse(clusterNodes);
        for (RedisClusterNode node : partitions) {
            if (!hasAddress(node)) {
                RedisURI reached = addressOf.apply(node);
                if (reached != null) {
                    node.setUri(reached);
                }
            }
        }
        Map<String, Shard> byMaster = new LinkedHashMap<>();
        for (RedisClusterNode node : partitions) {
            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
                if (!hasAddress(node)) {
                    throw new IllegalStateException("cluster node " + node.getNodeId() + " serves "
                            + node.getSlots().size() + " slots but announces no address, and the client has reached "
                            + "it at none; CLUSTER NODES:\n" + clusterNodes);
                }
                Shard shard = new Shard(node, new ArrayList<>());
                for (int slot : node.getSlots()) {
                    shard.slots.set(slot);
                }
                byMaster.put(node.getNodeId(), shard);
            }
        }
        for (Shard shard : byMaster.values()) {
            if (shard.master.getNodeId() != null) {
                shard.nodeIds.add(shard.master.getNodeId());
            }
        }
        for (RedisClusterNode node : partitions) {
            Shard shard = node.getSlaveOf() == null ? null : byMaster.get(node.getSlaveOf());
            if (shard != null && node.getNodeId() != null) {
                shard.nodeIds.add(node.getNodeId());
            }
            if (shard != null && node.is(RedisClusterNode.NodeFlag.REPLICA) && !failed(node) && hasAddress(node)
                    && node.isConnected()
                    && !node.is(RedisClusterNode.NodeFlag.LOADING)) {
                shard.replicas.add(node);
            }
        }
        List<Shard> shards = new ArrayList<>(byMaster.values());
        shards.sort((a, b) -> Integer.compare(a.slots.nextSetBit(0), b.slots.nextSetBit(0)));
        return shards;
    }

    private static boolean hasAddress(RedisClusterNode node) {
        RedisURI uri = node.getUri();
        return uri != null && uri.getHost() != null && !uri.getHost().isEmpty() && uri.getPort() > 0;
    }

    private static boolean failed(RedisClusterNode node) {
        return node.is(RedisClusterNode.NodeFlag.FAIL) || node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)
                || node.is(RedisClusterNode.NodeFlag.HANDSHAKE) || node.is(RedisClusterNode.NodeFlag.NOADDR);
    }

    private static String hostPort(RedisClusterNode node) {
        return node.getUri().getHost() + ":" + node.getUri().getPort();
    }

    private RedisClusterNode target(Shard shard) {
        if (readFromReplicas && !shard.replicas.isEmpty()) {
            return shard.replicas.get(0);
        }
        return shard.master;
    }

    /** The node that lists {@code shard} and reads its values: its master, or a replica under readFromReplicas. */
    private Mono<LettuceScanNode> server(Shard shard) {
        return server(shard, target(shard));
    }

    private Mono<LettuceScanNode> server(Shard shard, RedisClusterNode node) {
        String hostPort = hostPort(node);
        // READ sends READONLY on a replica's connection; SCAN and KEYS take no key, so any node answers them
        ConnectionIntent intent = node == shard.master ? ConnectionIntent.WRITE : ConnectionIntent.READ;
        String key = hostPort + "/" + intent;
        Mono<LettuceScanNode> server = servers.computeIfAbsent(key, ignored -> Mono.fromFuture(() -> cluster
                        .getConnectionAsync(node.getUri().getHost(), node.getUri().getPort(), intent))
                .map(connection -> new LettuceScanNode(connection, hostPort))
                .cache());
        // a failed connect is not kept: the next listing tries again
        return server.doOnError(error -> servers.remove(key, server));
    }

    /**
     * One shard, on the server that serves it now (its master, or a replica under {@code readFromReplicas}). Each
     * method sends exactly one command to that server; following the shard to another server after a failover is
     * the engine's job (it asks {@link #nodes()} again).
     */
    final class ShardNode implements ScanNode {

        private final String id;
        private final BitSet slots;
        private final Set<String> shardNodeIds;
        private final LettuceScanNode server;

        ShardNode(Shard shard, LettuceScanNode server) {
            RedisClusterNode target = target(shard);
            this.id = target.getNodeId() != null ? target.getNodeId() : hostPort(target);
            this.slots = shard.slots;
            this.shardNodeIds = Set.copyOf(shard.nodeIds);
            this.server = server;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public Set<String> shardNodeIds() {
            return shardNodeIds;
        }

        @Override
        public BitSet slots() {
            return (BitSet) slots.clone();
        }

        @Override
        public String address() {
            return server.address();
        }

        @Override
        public long connectionEpoch() {
            return server.connectionEpoch();
        }

        @Override
        public Mono<ScanPage> scan(ScanRequest request) {
            return server.scan(request);
        }

        @Override
        public Mono<List<byte[]>> keys(byte[] pattern) {
            return server.keys(pattern);
        }

        @Override
        public Mono<List<String>> types(List<byte[]> keys) {
            return server.types(keys);
        }

        @Override
        public Mono<Boolean> exists(byte[] key) {
            // Through the cluster connection, which follows MOVED and ASK should the slot be migrating.
            // keyscan's literal keys come from String patterns, so they are valid UTF-8
            return Mono.defer(() -> cluster.reactive().exists(new String(key, StandardCharsets.UTF_8)))
                    .map(count -> count > 0);
        }

        @Override
        public Mono<ServerInfo> serverInfo() {
            return server.serverInfo();
        }

        @Override
        public Mono<Long> scanMicros() {
            return server.scanMicros();
        }
    }
}
