package io.keyscan.testkit;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.MigrateArgs;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.StringCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis Cluster made of {@code redis-server} processes that this JVM starts ({@link LocalRedisServer}s from
 * {@link RedisBinary#find()}), by default 3 masters with one replica each, on free loopback ports. Slots are
 * assigned and nodes joined from Java (no {@code redis-cli}, which the Maven-shipped binary lacks), and
 * {@link #start()} returns only once the cluster is healthy (see {@link #awaitHealthy()}).
 *
 * <p>Tests may break it on purpose: {@link #failover}, {@link #killMaster}, {@link #migrateSlot} and the
 * step-by-step {@link #beginSlotMigration}. Each waits, bounded, until the cluster is healthy again, and on a
 * timeout throws an error that carries every node's {@code CLUSTER NODES}.
 *
 * <p>Roles change under failovers, so {@link #masters()}, {@link #replicas()} and {@link #nodeFor(String)} ask the
 * nodes each time (each node's own line of {@code CLUSTER NODES}) rather than remembering the start-up layout.
 *
 * <p>Nodes run with a 2 s {@code cluster-node-timeout}, so a killed master is replaced within a few seconds, and
 * {@code cluster-replica-validity-factor 0}, so a replica may always take over however long it was cut off.
 * Coverage and reads-when-down keep Redis' defaults ({@code cluster-require-full-coverage yes},
 * {@code cluster-allow-reads-when-down no}), as in production: while a slot has no master the whole cluster
 * refuses commands. {@link Builder#arg} overrides any of this.
 *
 * <p>Other shapes: one node ({@code masters(1).replicasPerMaster(0)}, which announces no address),
 * {@link Builder#announceHostname announced hostnames} (Redis 7.0+) and {@link Builder#tls() TLS only}.
 */
public final class LocalRedisCluster implements AutoCloseable {

    /** The number of hash slots. */
    public static final int SLOTS = SlotHash.SLOT_COUNT;

    private static final Logger log = LoggerFactory.getLogger(LocalRedisCluster.class);
    /** The bound on every wait for the cluster's state: start-up, failovers, slot moves. */
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration REPLICATION_TIMEOUT = Duration.ofSeconds(10);
    private static final int MIGRATE_TIMEOUT_MILLIS = 5000;
    private static final int WRITE_BATCH = 1000;
    private static final int ADDSLOTS_BATCH = 1000;
    private static final String HOST = "127.0.0.1";

    private final List<LocalRedisServer> nodes;
    private final Map<LocalRedisServer, String> ids = new HashMap<>();
    private final Map<String, LocalRedisServer> byId = new HashMap<>();
    private final RedisBinary binary;
    private final ServerCertificates certificates; // null: plain TCP
    private RedisClient dataClient;

    private LocalRedisCluster(List<LocalRedisServer> nodes, RedisBinary binary, ServerCertificates certificates) {
        this.nodes = List.copyOf(nodes);
        this.binary = binary;
        this.certificates = certificates;
        for (LocalRedisServer node : nodes) {
            // The id is kept in nodes.conf, so it survives a restart of the node.
            String id = node.admin().clusterMyId();
            ids.put(node, id);
            byId.put(id, node);
        }
    }

    /** A builder for a cluster from {@link RedisBinary#find()}: 3 masters, 1 replica each. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts 3 masters and 3 replicas and waits until the cluster is healthy. The caller closes it. */
    public static LocalRedisCluster start() {
        return builder().start();
    }

    /** Where the nodes come from and their ports, e.g. for a log line. */
    public String source() {
        List<Integer> ports = new ArrayList<>();
        for (LocalRedisServer node : nodes) {
            ports.add(node.port());
        }
        return "Redis Cluster of " + nodes.size() + (certificates != null ? " TLS-only" : "") + " nodes from " + binary.source() + " (" + binary.path() + ", "
                + binary.version() + ") on ports " + ports;
    }

    /** Every node started, masters and replicas, running or not, in start order. */
    public List<LocalRedisServer> nodes() {
        return nodes;
    }

    /** {@code redis://127.0.0.1:port} of every node, as {@link #nodes()}. */
    public List<String> uris() {
        List<String> uris = new ArrayList<>(nodes.size());
        for (LocalRedisServer node : nodes) {
            uris.add(node.uri());
        }
        return uris;
    }

    /** The URI of every node, as {@link #nodes()}: seeds for {@code RedisClusterClient.create(Iterable)}. */
    public List<RedisURI> redisUris() {
        List<RedisURI> uris = new ArrayList<>(nodes.size());
        for (LocalRedisServer node : nodes) {
            uris.add(node.redisUri());
        }
        return uris;
    }

    /**
     * The address {@code node} announces for itself: the second field of its own line of {@code CLUSTER NODES},
     * {@code ip:port@cport}, with {@code ,hostname} when it announces one ({@link Builder#announceHostname}), or
     * {@code :port@cport} (no ip) on a one-node cluster, whose node never learnt its address from a peer.
     */
    public String announcedAddress(LocalRedisServer node) {
        return self(node).address();
    }

    /** Whether the nodes speak TLS only, among themselves too ({@link Builder#tls()}). */
    public boolean isTls() {
        return certificates != null;
    }

    /**
     * The CA and the certificate every node of a TLS cluster presents.
     *
     * @throws IllegalStateException if the cluster was not built with {@link Builder#tls()}
     */
    public ServerCertificates certificates() {
        if (certificates == null) {
            throw new IllegalStateException("the cluster was started without TLS; use LocalRedisCluster.builder().tls()");
        }
        return certificates;
    }

    /**
     * Cluster client options for this cluster: for a TLS cluster they trust its CA (the JDK's truststore does not),
     * otherwise Lettuce's defaults.
     */
    public ClusterClientOptions clusterClientOptions() {
        ClusterClientOptions.Builder options = ClusterClientOptions.builder();
        if (certificates != null) {
            options.sslOptions(certificates.sslOptions());
        }
        return options.build();
    }

    /** The running nodes that are masters now, in start order. */
    public List<LocalRedisServer> masters() {
        List<LocalRedisServer> masters = new ArrayList<>();
        for (LocalRedisServer node : running()) {
            if (self(node).isMaster()) {
                masters.add(node);
            }
        }
        return masters;
    }

    /** The running nodes that are replicas now, in start order. */
    public List<LocalRedisServer> replicas() {
        List<LocalRedisServer> replicas = new ArrayList<>();
        for (LocalRedisServer node : running()) {
            if (self(node).isReplica()) {
                replicas.add(node);
            }
        }
        return replicas;
    }

    /** The running nodes that replicate {@code master} now. */
    public List<LocalRedisServer> replicasOf(LocalRedisServer master) {
        String masterId = id(master);
        List<LocalRedisServer> replicas = new ArrayList<>();
        for (LocalRedisServer node : running()) {
            NodeLine self = self(node);
            if (self.isReplica() && masterId.equals(self.masterId())) {
                replicas.add(node);
            }
        }
        return replicas;
    }

    /** The master that serves {@code key}'s slot now (see {@link #nodeForSlot(int)}). */
    public LocalRedisServer nodeFor(String key) {
        return nodeForSlot(SlotHash.getSlot(key));
    }

    /**
     * The running master that serves {@code slot} now, by its own account. During a {@link #beginSlotMigration
     * migration} that is the source until {@link SlotMigration#finish()}.
     *
     * @throws IllegalStateException if no running master, or more than one, claims the slot
     */
    public LocalRedisServer nodeForSlot(int slot) {
        checkSlot(slot);
        return slotOwners()[slot];
    }

    /**
     * Writes {@code keys} (value {@code "1"}) to the masters serving their slots, with pipelined MSETs of up to
     * 1000 keys of one slot, then {@code WAIT}s until every running replica of each master has them, so a
     * following {@link #killMaster} or read from a replica sees them. Not for keys of a slot being migrated.
     */
    public void loadKeys(Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        LocalRedisServer[] owners = slotOwners();
        Map<LocalRedisServer, List<Map<String, String>>> batches = new LinkedHashMap<>();
        for (Map.Entry<Integer, List<String>> slot : SlotHash.partition(StringCodec.UTF8, keys).entrySet()) {
            List<Map<String, String>> masterBatches = batches.computeIfAbsent(owners[slot.getKey()],
                    master -> new ArrayList<>());
            List<String> slotKeys = slot.getValue();
            for (int from = 0; from < slotKeys.size(); from += WRITE_BATCH) {
                Map<String, String> batch = new HashMap<>();
                for (String key : slotKeys.subList(from, Math.min(slotKeys.size(), from + WRITE_BATCH))) {
                    batch.put(key, "1");
                }
                masterBatches.add(batch);
            }
        }
        batches.forEach(this::write);
    }

    private void write(LocalRedisServer master, List<Map<String, String>> batches) {
        int replicas = replicasOf(master).size();
        try (StatefulRedisConnection<String, String> connection = dataClient().connect(master.redisUri())) {
            connection.setTimeout(Duration.ofMinutes(2));
            connection.setAutoFlushCommands(false);
            RedisAsyncCommands<String, String> async = connection.async();
            List<RedisFuture<String>> pending = new ArrayList<>();
            for (Map<String, String> batch : batches) {
                pending.add(async.mset(batch));
                if (pending.size() == 50) {
                    await(connection, pending, master);
                }
            }
            await(connection, pending, master);
            connection.setAutoFlushCommands(true);
            // WAIT counts the replicas that acknowledged this connection's writes.
            awaitReplication(connection.sync().waitForReplication(replicas, REPLICATION_TIMEOUT.toMillis()),
                    replicas, master);
        }
    }

    private void await(StatefulRedisConnection<String, String> connection, List<RedisFuture<String>> pending,
            LocalRedisServer master) {
        connection.flushCommands();
        try {
            if (!LettuceFutures.awaitAll(Duration.ofMinutes(2), pending.toArray(new RedisFuture<?>[0]))) {
                throw new IllegalStateException("writing keys to " + label(master) + " timed out");
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("writing keys to " + label(master) + " failed: " + e.getMessage(), e);
        }
        pending.clear();
    }

    private void awaitReplication(long acknowledged, int replicas, LocalRedisServer master) {
        if (acknowledged < replicas) {
            throw new IllegalStateException("only " + acknowledged + " of the " + replicas + " replicas of "
                    + label(master) + " acknowledged the writes within " + REPLICATION_TIMEOUT + "\n"
                    + clusterNodes());
        }
    }

    /** FLUSHALL on every running master, then {@code WAIT} until its running replicas are empty too. */
    public void flushAll() {
        for (LocalRedisServer master : masters()) {
            int replicas = replicasOf(master).size();
            master.admin().flushall();
            // the same connection as the FLUSHALL, which is what WAIT counts acknowledgements of
            awaitReplication(master.admin().waitForReplication(replicas, REPLICATION_TIMEOUT.toMillis()), replicas,
                    master);
        }
    }

    /**
     * Waits, up to 30 s, until the cluster is healthy: every running node reports {@code cluster_state:ok} with
     * all 16384 slots assigned and ok, knows every other running node and flags none of them as failing or in
     * handshake, every node has the same view of roles and slot owners, and every running replica's link to its
     * master is up and synced. Stopped and killed nodes are left out; a paused one makes this wait fail.
     *
     * @throws IllegalStateException on timeout, with what was wrong last and every node's {@code CLUSTER NODES}
     */
    public void awaitHealthy() {
        await("the cluster to be healthy", this::healthProblem);
    }

    /**
     * A manual failover: {@code CLUSTER FAILOVER} on {@code replica}, which takes over its master's slots once it
     * has all of its master's writes (nothing is lost). Waits until {@code replica} is a master, its former master
     * a replica of it, and the cluster healthy.
     *
     * @return the former master, now a replica of {@code replica}
     * @throws IllegalArgumentException if {@code replica} is not a replica of this cluster
     */
    public LocalRedisServer failover(LocalRedisServer replica) {
        requireRunning(replica);
        NodeLine self = self(replica);
        if (!self.isReplica()) {
            throw new IllegalArgumentException(label(replica) + " is not a replica (flags " + self.flags() + ")");
        }
        LocalRedisServer master = node(self.masterId());
        replica.admin().clusterFailover(false);
        await("the failover from " + label(master) + " to " + label(replica), () -> {
            if (!self(replica).isMaster()) {
                return label(replica) + " is not a master yet";
            }
            if (master.isRunning() && !id(replica).equals(self(master).masterId())) {
                return label(master) + " does not replicate " + label(replica) + " yet";
            }
            return healthProblem();
        });
        log.info("Failed over {} to {}", label(master), label(replica));
        return master;
    }

    /**
     * Kills {@code master} ({@code kill -9}) once its replicas have every write it acknowledged, then waits until
     * one of them has been elected in its place and the cluster is healthy again, which takes a few seconds (the
     * node timeout, then an election). The killed node stays down; {@link LocalRedisServer#startAgain} brings it
     * back, as a replica, and {@link #awaitHealthy()} waits for it to rejoin.
     *
     * @return the replica that took over
     * @throws IllegalStateException if no replica could take over: {@code master} has no running replica, or
     *     fewer than 3 masters run (the election needs a majority of the masters)
     */
    public LocalRedisServer killMaster(LocalRedisServer master) {
        requireRunning(master);
        NodeLine self = self(master);
        if (!self.isMaster()) {
            throw new IllegalArgumentException(label(master) + " is not a master (flags " + self.flags() + ")");
        }
        List<LocalRedisServer> replicas = replicasOf(master);
        if (replicas.isEmpty()) {
            throw new IllegalStateException(label(master) + " has no running replica to take over");
        }
        int masters = masters().size();
        if (masters < 3) {
            throw new IllegalStateException("killing " + label(master) + " would leave no majority of masters to "
                    + "elect a replica: only " + masters + " masters run, at least 3 are needed");
        }
        awaitCaughtUp(master, replicas);
        master.kill();
        AtomicReference<LocalRedisServer> promoted = new AtomicReference<>();
        await("a replica of the killed " + label(master) + " to take over", () -> {
            for (LocalRedisServer replica : replicas) {
                if (replica.isRunning() && self(replica).isMaster()) {
                    promoted.set(replica);
                    return healthProblem();
                }
            }
            return "none of " + labels(replicas) + " is a master yet";
        });
        log.info("Killed {}; {} took over", label(master), label(promoted.get()));
        return promoted.get();
    }

    /** Waits until every replica's offset reached the master's: nothing the master acknowledged is lost. */
    private void awaitCaughtUp(LocalRedisServer master, List<LocalRedisServer> replicas) {
        long offset = Long.parseLong(master.infoField("replication", "master_repl_offset"));
        await("the replicas of " + label(master) + " to reach its replication offset " + offset, () -> {
            for (LocalRedisServer replica : replicas) {
                long replicaOffset = Long.parseLong(replica.infoField("replication", "slave_repl_offset"));
                if (replicaOffset < offset) {
                    return label(replica) + " is at offset " + replicaOffset;
                }
            }
            return null;
        });
    }

    /**
     * Moves {@code slot} and its keys from master {@code from} to master {@code to} the standard way, and waits
     * until every node agrees that {@code to} serves it. The same as {@code beginSlotMigration(slot, from, to)
     * .finish()}.
     */
    public void migrateSlot(int slot, LocalRedisServer from, LocalRedisServer to) {
        beginSlotMigration(slot, from, to).finish();
    }

    /**
     * Starts moving {@code slot} from master {@code from} to master {@code to}: {@code CLUSTER SETSLOT IMPORTING}
     * on {@code to}, then {@code MIGRATING} on {@code from}. From here on {@code from} answers a command for a key of
     * the slot it no longer has with {@code -ASK} (to {@code to}), which is what a test of a listing during a
     * resharding needs; move the keys with {@link SlotMigration#moveKeys(int)} and end with
     * {@link SlotMigration#finish()}.
     *
     * @throws IllegalArgumentException if {@code from} does not serve the slot or {@code to} is not another master
     */
    public SlotMigration beginSlotMigration(int slot, LocalRedisServer from, LocalRedisServer to) {
        checkSlot(slot);
        requireRunning(from);
        requireRunning(to);
        if (from == to) {
            throw new IllegalArgumentException("slot " + slot + " cannot move from " + label(from) + " to itself");
        }
        LocalRedisServer owner = nodeForSlot(slot);
        if (owner != from) {
            throw new IllegalArgumentException("slot " + slot + " is served by " + label(owner) + ", not by "
                    + label(from));
        }
        NodeLine target = self(to);
        if (!target.isMaster()) {
            throw new IllegalArgumentException(label(to) + " is not a master (flags " + target.flags() + ")");
        }
        to.admin().clusterSetSlotImporting(slot, id(from));
        from.admin().clusterSetSlotMigrating(slot, id(to));
        log.info("Migrating slot {} from {} to {}", slot, label(from), label(to));
        return new SlotMigration(slot, from, to);
    }

    /** A slot moving from one master to another, begun by {@link #beginSlotMigration}. */
    public final class SlotMigration {

        private final int slot;
        private final LocalRedisServer source;
        private final LocalRedisServer target;
        private boolean finished;

        private SlotMigration(int slot, LocalRedisServer source, LocalRedisServer target) {
            this.slot = slot;
            this.source = source;
            this.target = target;
        }

        /** The slot. */
        public int slot() {
            return slot;
        }

        /** The master the slot moves from. */
        public LocalRedisServer source() {
            return source;
        }

        /** The master the slot moves to. */
        public LocalRedisServer target() {
            return target;
        }

        /** How many keys of the slot the source still holds ({@code CLUSTER COUNTKEYSINSLOT}). */
        public long keysLeft() {
            return source.admin().clusterCountKeysInSlot(slot);
        }

        /**
         * Moves up to {@code count} of the slot's keys still on the source to the target, with one
         * {@code MIGRATE ... KEYS}.
         *
         * @return how many keys were moved; 0 when the source has none left
         */
        public int moveKeys(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("count must be positive, was " + count);
            }
            requireUnfinished();
            List<String> keys = source.admin().clusterGetKeysInSlot(slot, count);
            if (keys.isEmpty()) {
                return 0;
            }
            String reply = source.admin().migrate(HOST, target.port(), 0, MIGRATE_TIMEOUT_MILLIS,
                    MigrateArgs.Builder.keys(keys));
            if (!"OK".equals(reply) && !"NOKEY".equals(reply)) { // NOKEY: they expired in between
                throw new IllegalStateException("MIGRATE of " + keys.size() + " keys of slot " + slot + " from "
                        + label(source) + " to " + label(target) + " replied " + reply);
            }
            return keys.size();
        }

        /**
         * Moves the keys left, then assigns the slot to the target ({@code CLUSTER SETSLOT NODE} on the target,
         * the source and the other masters) and waits until the cluster is healthy with the target serving it.
         */
        public void finish() {
            requireUnfinished();
            while (moveKeys(WRITE_BATCH) > 0) {
                // until the source holds no key of the slot: SETSLOT NODE refuses otherwise
            }
            String targetId = id(target);
            target.admin().clusterSetSlotNode(slot, targetId);
            source.admin().clusterSetSlotNode(slot, targetId);
            for (LocalRedisServer master : masters()) {
                if (master != source && master != target) {
                    master.admin().clusterSetSlotNode(slot, targetId);
                }
            }
            finished = true;
            await("slot " + slot + " to be served by " + label(target), () -> {
                LocalRedisServer owner = nodeForSlot(slot);
                return owner != target ? "slot " + slot + " is served by " + label(owner) : healthProblem();
            });
            log.info("Migrated slot {} from {} to {}", slot, label(source), label(target));
        }

        private void requireUnfinished() {
            if (finished) {
                throw new IllegalStateException("the migration of slot " + slot + " is finished");
            }
        }
    }

    // ---- atomic slot migration

    /** {@code node}'s cluster node id ({@code CLUSTER MYID}), which it keeps across restarts. */
    public String nodeId(LocalRedisServer node) {
        return id(node);
    }

    /**
     * Whether the masters migrate slots atomically (Redis 8.4+ {@code CLUSTER MIGRATION}, Valkey 9.0+
     * {@code CLUSTER MIGRATESLOTS}), asked of a master as {@link AtomicSlotMigration#protocolOf} does: tests of
     * atomic migration skip with {@code assumeTrue(cluster.supportsAtomicSlotMigration())}.
     */
    public boolean supportsAtomicSlotMigration() {
        return AtomicSlotMigration.protocolOf(masters().get(0)).isPresent();
    }

    /** {@link #beginAtomicSlotMigration(LocalRedisServer, long, List)} of the one range {@code first-last}. */
    public AtomicSlotMigration beginAtomicSlotMigration(LocalRedisServer to, long snapshotDelayMicrosPerKey,
            int first, int last) {
        return beginAtomicSlotMigration(to, snapshotDelayMicrosPerKey,
                List.of(new AtomicSlotMigration.SlotRange(first, last)));
    }

    /**
     * Starts moving the slots of {@code ranges}, all served by one master now, to master {@code to}, atomically: the
     * servers copy the keys and hand the slots over themselves ({@link AtomicSlotMigration}). With
     * {@code snapshotDelayMicrosPerKey > 0} the source's snapshot of the slots sleeps that long per key (its
     * {@code rdb-key-save-delay} while it forks), so {@code n} keys take about {@code n} times as long to arrive and
     * the migration can be watched and cancelled mid-way. Returns once the target holds a first key of the slots
     * (the source's snapshot runs, and the source's {@code rdb-key-save-delay} is back to what it was) or the
     * migration has ended; end with {@link AtomicSlotMigration#awaitCompleted()} or
     * {@link AtomicSlotMigration#cancel()}.
     *
     * @throws IllegalStateException if the servers have no atomic slot migration
     *     ({@link #supportsAtomicSlotMigration()})
     * @throws IllegalArgumentException if the slots are not all served by one master other than {@code to}
     */
    public AtomicSlotMigration beginAtomicSlotMigration(LocalRedisServer to, long snapshotDelayMicrosPerKey,
            List<AtomicSlotMigration.SlotRange> ranges) {
        requireRunning(to);
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("no slot range");
        }
        if (snapshotDelayMicrosPerKey < 0) {
            throw new IllegalArgumentException("snapshotDelayMicrosPerKey must not be negative");
        }
        LocalRedisServer[] owners = slotOwners();
        LocalRedisServer from = owners[ranges.get(0).first()];
        for (AtomicSlotMigration.SlotRange range : ranges) {
            for (int slot = range.first(); slot <= range.last(); slot++) {
                if (owners[slot] != from) {
                    throw new IllegalArgumentException("slot " + slot + " is served by " + label(owners[slot])
                            + ", slot " + ranges.get(0).first() + " by " + label(from));
                }
            }
        }
        if (from == to) {
            throw new IllegalArgumentException(label(to) + " serves the slots already");
        }
        if (!self(to).isMaster()) {
            throw new IllegalArgumentException(label(to) + " is not a master");
        }
        AtomicSlotMigration.Protocol protocol = AtomicSlotMigration.protocolOf(to).orElseThrow(
                () -> new IllegalStateException(binary.version() + " (" + binary.path() + ") has no atomic slot "
                        + "migration (no CLUSTER MIGRATION or CLUSTER MIGRATESLOTS)"));
        return AtomicSlotMigration.begin(this, protocol, ranges, from, to, snapshotDelayMicrosPerKey);
    }

    /**
     * Null if every running node's {@code CLUSTER NODES} shows {@code owner} serving every slot of {@code slots}
     * and no other node serving any of them; otherwise what differs.
     */
    String ownershipProblem(BitSet slots, LocalRedisServer owner) {
        String ownerId = id(owner);
        for (LocalRedisServer node : running()) {
            for (NodeLine line : view(node).values()) {
                if (line.id().equals(ownerId)) {
                    BitSet missing = (BitSet) slots.clone();
                    missing.andNot(line.slots());
                    if (!missing.isEmpty()) {
                        return label(node) + " does not see " + label(owner) + " serve slots " + missing;
                    }
                } else if (line.slots().intersects(slots)) {
                    BitSet claimed = (BitSet) slots.clone();
                    claimed.and(line.slots());
                    return label(node) + " sees node " + line.id() + " serve slots " + claimed;
                }
            }
        }
        return null;
    }

    /** What keeps the cluster from being healthy now, or null (see {@link #awaitHealthy()}). */
    String healthProblemOrNull() {
        return healthProblem();
    }

    /** Polls {@code problem} (null: done) for up to 30 s, as the cluster's own waits do. */
    void awaitCondition(String what, Supplier<String> problem) {
        await(what, problem);
    }

    /** Every node's own {@code CLUSTER NODES}, or why it has none; for failure messages. */
    public String clusterNodes() {
        StringBuilder out = new StringBuilder();
        for (LocalRedisServer node : nodes) {
            out.append(label(node)).append(", id ").append(ids.get(node));
            if (!node.isRunning()) {
                out.append(": not running\n");
                continue;
            }
            out.append(", CLUSTER NODES:\n");
            try {
                for (String line : node.admin().clusterNodes().split("\r?\n")) {
                    out.append("  ").append(line).append('\n');
                }
            } catch (RuntimeException e) {
                out.append("  (no answer: ").append(e.getMessage()).append(")\n");
            }
        }
        return out.toString();
    }

    /** Stops every node. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (LocalRedisServer node : nodes) {
            try {
                node.stop();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        synchronized (this) {
            if (dataClient != null) {
                dataClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
                dataClient = null;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return source();
    }

    // ---- start-up

    private void create(int masters, int replicasPerMaster) {
        // Slots first, and a distinct config epoch per node (SET-CONFIG-EPOCH only works while a node knows no
        // other): as redis-cli --cluster create does, so no epoch collision has to be resolved after the meet.
        for (int i = 0; i < masters; i++) {
            addSlots(nodes.get(i), i * SLOTS / masters, (i + 1) * SLOTS / masters - 1);
        }
        if (nodes.size() == 1) {
            // A node that never met another does not know its own address: its line of CLUSTER NODES reads
            // "<id> :port@cport myself,master ...", which is what the one-node shape is for. No epoch to set either.
            String address = announcedAddress(nodes.get(0));
            if (!address.startsWith(":")) {
                throw new IllegalStateException("the one node announces the address '" + address + "', expected "
                        + "none\n" + clusterNodes());
            }
            awaitHealthy();
            return;
        }
        for (int i = 0; i < nodes.size(); i++) {
            nodes.get(i).admin().clusterSetConfigEpoch(i + 1);
        }
        // Every pair meets directly: gossip would introduce them too, but only after a second or more.
        for (int i = 0; i < nodes.size(); i++) {
            for (LocalRedisServer other : nodes.subList(i + 1, nodes.size())) {
                nodes.get(i).admin().clusterMeet(HOST, other.port());
            }
        }
        // CLUSTER REPLICATE needs the replica to know its master: wait for gossip to introduce everyone.
        await("every node to know every other", () -> {
            for (LocalRedisServer node : nodes) {
                Map<String, NodeLine> view = view(node);
                for (LocalRedisServer other : nodes) {
                    NodeLine line = view.get(id(other));
                    if (line == null || line.isFailing()) {
                        return label(node) + " does not know " + label(other) + " yet";
                    }
                }
            }
            return null;
        });
        for (int i = masters; i < nodes.size(); i++) {
            nodes.get(i).admin().clusterReplicate(id(nodes.get((i - masters) % masters)));
        }
        awaitHealthy();
        int actualMasters = masters().size();
        int actualReplicas = replicas().size();
        if (actualMasters != masters || actualReplicas != masters * replicasPerMaster) {
            throw new IllegalStateException("expected " + masters + " masters and " + masters * replicasPerMaster
                    + " replicas, found " + actualMasters + " and " + actualReplicas + "\n" + clusterNodes());
        }
    }

    /**
     * Slots {@code first} to {@code last} to {@code node}: one {@code CLUSTER ADDSLOTSRANGE} (Redis 7.0+, as a
     * one-node cluster is usually set up), or on Redis 6.2, which lacks it, {@code ADDSLOTS} in batches.
     */
    private void addSlots(LocalRedisServer node, int first, int last) {
        if (binary.majorVersion() >= 7) {
            node.admin().clusterAddSlotsRange(Range.create(first, last));
            return;
        }
        for (int from = first; from <= last; from += ADDSLOTS_BATCH) {
            int to = Math.min(last, from + ADDSLOTS_BATCH - 1);
            int start = from;
            int[] slots = new int[to - from + 1];
            Arrays.setAll(slots, n -> start + n);
            node.admin().clusterAddSlots(slots);
        }
    }

    // ---- state

    /** What keeps the cluster from being healthy, or null if nothing does (see {@link #awaitHealthy()}). */
    private String healthProblem() {
        List<LocalRedisServer> running = running();
        if (running.isEmpty()) {
            return "no node runs";
        }
        Map<String, String> reference = null;
        LocalRedisServer referenceNode = null;
        for (LocalRedisServer node : running) {
            Map<String, String> info = Convergence.infoFields(node.admin().clusterInfo());
            for (String field : List.of("cluster_slots_assigned", "cluster_slots_ok")) {
                if (!Integer.toString(SLOTS).equals(info.get(field))) {
                    return label(node) + " reports " + field + ":" + info.get(field);
                }
            }
            if (!"ok".equals(info.get("cluster_state"))) {
                return label(node) + " reports cluster_state:" + info.get("cluster_state");
            }
            Map<String, NodeLine> view = view(node);
            for (LocalRedisServer other : running) {
                NodeLine line = view.get(id(other));
                if (line == null) {
                    return label(node) + " does not know " + label(other);
                }
                if (line.isFailing()) {
                    return label(node) + " flags " + label(other) + " " + line.flags();
                }
                if (other != node && !"connected".equals(line.linkState())) {
                    return label(node) + " has no link to " + label(other);
                }
            }
            Map<String, String> roles = new HashMap<>();
            view.forEach((id, line) -> roles.put(id, line.roleAndSlots()));
            if (reference == null) {
                reference = roles;
                referenceNode = node;
            } else if (!reference.equals(roles)) {
                return label(node) + " and " + label(referenceNode) + " disagree on roles or slots: "
                        + difference(reference, roles);
            }
            if (view.get(id(node)).isReplica()) {
                Map<String, String> replication = Convergence.infoFields(node.admin().info("replication"));
                if (!"up".equals(replication.get("master_link_status"))
                        || !"0".equals(replication.get("master_sync_in_progress"))) {
                    return label(node) + " reports master_link_status:" + replication.get("master_link_status")
                            + ", master_sync_in_progress:" + replication.get("master_sync_in_progress");
                }
            }
        }
        return null;
    }

    private String difference(Map<String, String> a, Map<String, String> b) {
        Set<String> all = new LinkedHashSet<>(a.keySet());
        all.addAll(b.keySet());
        for (String id : all) {
            if (!Objects.equals(a.get(id), b.get(id))) {
                return "node " + id + " is '" + a.get(id) + "' or '" + b.get(id) + "'";
            }
        }
        return "none";
    }

    /** The running master of each slot, by the masters' own account. */
    private LocalRedisServer[] slotOwners() {
        LocalRedisServer[] owners = new LocalRedisServer[SLOTS];
        for (LocalRedisServer node : running()) {
            NodeLine self = self(node);
            if (!self.isMaster()) {
                continue;
            }
            BitSet slots = self.slots();
            for (int slot = slots.nextSetBit(0); slot >= 0; slot = slots.nextSetBit(slot + 1)) {
                if (owners[slot] != null) {
                    throw new IllegalStateException("both " + label(owners[slot]) + " and " + label(node)
                            + " claim slot " + slot + "\n" + clusterNodes());
                }
                owners[slot] = node;
            }
        }
        for (int slot = 0; slot < SLOTS; slot++) {
            if (owners[slot] == null) {
                throw new IllegalStateException("no running master serves slot " + slot + "\n" + clusterNodes());
            }
        }
        return owners;
    }

    private List<LocalRedisServer> running() {
        List<LocalRedisServer> running = new ArrayList<>(nodes.size());
        for (LocalRedisServer node : nodes) {
            if (node.isRunning()) {
                running.add(node);
            }
        }
        return running;
    }

    /** {@code node}'s own line of its {@code CLUSTER NODES}. */
    private NodeLine self(LocalRedisServer node) {
        NodeLine self = view(node).get(id(node));
        if (self == null) {
            throw new IllegalStateException(label(node) + " does not list itself in CLUSTER NODES");
        }
        return self;
    }

    private static Map<String, NodeLine> view(LocalRedisServer node) {
        Map<String, NodeLine> lines = new LinkedHashMap<>();
        for (String line : node.admin().clusterNodes().split("\r?\n")) {
            if (!line.isBlank()) {
                NodeLine parsed = NodeLine.parse(line);
                lines.put(parsed.id(), parsed);
            }
        }
        return lines;
    }

    private String id(LocalRedisServer node) {
        String id = ids.get(Objects.requireNonNull(node, "node"));
        if (id == null) {
            throw new IllegalArgumentException(node.uri() + " is not a node of this cluster");
        }
        return id;
    }

    private LocalRedisServer node(String id) {
        LocalRedisServer node = byId.get(id);
        if (node == null) {
            throw new IllegalStateException("node " + id + " was not started by this cluster\n" + clusterNodes());
        }
        return node;
    }

    private void requireRunning(LocalRedisServer node) {
        id(node);
        if (!node.isRunning()) {
            throw new IllegalArgumentException(label(node) + " is not running");
        }
    }

    private String label(LocalRedisServer node) {
        return "node " + (nodes.indexOf(node) + 1) + " (" + HOST + ":" + node.port() + ")";
    }

    private String labels(List<LocalRedisServer> list) {
        List<String> labels = new ArrayList<>();
        for (LocalRedisServer node : list) {
            labels.add(label(node));
        }
        return String.join(", ", labels);
    }

    private static void checkSlot(int slot) {
        if (slot < 0 || slot >= SLOTS) {
            throw new IllegalArgumentException("slot must be in [0, " + SLOTS + "), was " + slot);
        }
    }

    private synchronized RedisClient dataClient() {
        if (dataClient == null) {
            dataClient = RedisClient.create();
            if (certificates != null) {
                dataClient.setOptions(certificates.clientOptions());
            }
        }
        return dataClient;
    }

    /**
     * Polls {@code problem} (null: done) until it is done, up to {@link #HEALTH_TIMEOUT}. A command failing
     * meanwhile (a node restarting, a MOVED during a change) counts as not done yet.
     */
    private void await(String what, Supplier<String> problem) {
        Convergence.await(what, HEALTH_TIMEOUT, problem, this::clusterNodes);
    }

    /**
     * One line of {@code CLUSTER NODES}: {@code <id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv>
     * <config-epoch> <link-state> <slot>...}.
     */
    private record NodeLine(String id, String address, Set<String> flags, String masterId, String linkState,
            BitSet slots) {

        static NodeLine parse(String line) {
            String[] fields = line.trim().split(" ");
            if (fields.length < 8) {
                throw new IllegalStateException("unexpected CLUSTER NODES line: " + line);
            }
            BitSet slots = new BitSet(SLOTS);
            for (int i = 8; i < fields.length; i++) {
                String range = fields[i];
                if (range.startsWith("[")) {
                    continue; // [slot->-id] or [slot-<-id]: a slot migrating or importing, not an assignment
                }
                int dash = range.indexOf('-');
                if (dash < 0) {
                    slots.set(Integer.parseInt(range));
                } else {
                    slots.set(Integer.parseInt(range.substring(0, dash)),
                            Integer.parseInt(range.substring(dash + 1)) + 1);
                }
            }
            return new NodeLine(fields[0], fields[1], Set.of(fields[2].split(",")), fields[3], fields[7], slots);
        }

        boolean isMaster() {
            return flags.contains("master");
        }

        boolean isReplica() {
            return flags.contains("slave");
        }

        boolean isFailing() {
            return flags.contains("fail") || flags.contains("fail?") || flags.contains("handshake")
                    || flags.contains("noaddr");
        }

        /** What every node must agree on: the role, the master of a replica, the slots of a master. */
        String roleAndSlots() {
            return isMaster() ? "master of slots " + slots : isReplica() ? "replica of " + masterId : "no role";
        }
    }

    /** Configures a {@link LocalRedisCluster}. */
    public static final class Builder {

        private RedisBinary binary;
        private int masters = 3;
        private int replicasPerMaster = 1;
        private String hostname;
        private boolean tls;
        private final List<String> args = new ArrayList<>();

        private Builder() {
        }

        /** The executable of every node; {@link RedisBinary#find()} by default. */
        public Builder binary(RedisBinary binary) {
            this.binary = Objects.requireNonNull(binary, "binary");
            return this;
        }

        /**
         * The number of masters, among which the slots are split evenly; 3 by default. With
         * {@code masters(1).replicasPerMaster(0)} the cluster is one node holding every slot, set up as Redis' own
         * tests and many local setups do (slots assigned, no {@code CLUSTER MEET}): that node announces no address
         * of its own ({@code :port@cport} in {@code CLUSTER NODES}), which {@link #start()} checks.
         */
        public Builder masters(int masters) {
            if (masters < 1) {
                throw new IllegalArgumentException("masters must be at least 1, was " + masters);
            }
            this.masters = masters;
            return this;
        }

        /** The number of replicas of each master; 1 by default. */
        public Builder replicasPerMaster(int replicas) {
            if (replicas < 0) {
                throw new IllegalArgumentException("replicasPerMaster must not be negative, was " + replicas);
            }
            this.replicasPerMaster = replicas;
            return this;
        }

        /**
         * Every node announces {@code hostname} and the cluster prefers it to ips
         * ({@code --cluster-announce-hostname hostname --cluster-preferred-endpoint-type hostname}): {@code CLUSTER
         * NODES} then reads {@code ip:port@cport,hostname}, and {@code CLUSTER SLOTS} and {@code CLUSTER SHARDS}
         * give the hostname, which clients connect to. The nodes listen on 127.0.0.1 only, so {@code hostname} must
         * resolve to it ({@code localhost}). Redis 7.0 or later: {@link #start()} fails on an older binary.
         */
        public Builder announceHostname(String hostname) {
            if (hostname == null || hostname.isBlank()) {
                throw new IllegalArgumentException("hostname must not be blank");
            }
            this.hostname = hostname;
            return this;
        }

        /**
         * TLS only, between clients and nodes and among the nodes (cluster bus and replication): every node runs as
         * {@link LocalRedisServer.Builder#tls(ServerCertificates)} with one shared throwaway CA and
         * {@code --tls-cluster yes --tls-replication yes}, so {@code CLUSTER NODES} announces the TLS ports.
         * {@link #redisUris()} are {@code rediss://} then; connect with {@link #clusterClientOptions()}.
         */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /**
         * Extra command-line configuration of every node, after the cluster's own, so it can override it, e.g.
         * {@code arg("--cluster-require-full-coverage", "no")}.
         */
        public Builder arg(String... args) {
            Collections.addAll(this.args, args);
            return this;
        }

        /** Starts the nodes, joins them, assigns the slots and waits until the cluster is healthy. */
        public LocalRedisCluster start() {
            RedisBinary nodeBinary = binary != null ? binary : RedisBinary.find();
            if (hostname != null && nodeBinary.majorVersion() < 7) {
                throw new IllegalStateException("announced hostnames need Redis 7.0 or later; " + nodeBinary.path()
                        + " is " + nodeBinary.version());
            }
            long started = System.nanoTime();
            int total = masters * (1 + replicasPerMaster);
            List<LocalRedisServer> nodes = new ArrayList<>(total);
            ServerCertificates certificates = null;
            if (tls) {
                try {
                    certificates = ServerCertificates.generate(Files.createTempDirectory("keyscan-cluster-tls-"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            List<String> shapeArgs = new ArrayList<>();
            if (hostname != null) {
                Collections.addAll(shapeArgs, "--cluster-announce-hostname", hostname,
                        "--cluster-preferred-endpoint-type", "hostname");
            }
            if (tls) {
                Collections.addAll(shapeArgs, "--tls-cluster", "yes", "--tls-replication", "yes");
            }
            try {
                for (int i = 0; i < total; i++) {
                    LocalRedisServer.Builder node = LocalRedisServer.builder();
                    if (certificates != null) {
                        node.tls(certificates);
                    }
                    nodes.add(node
                            .binary(nodeBinary)
                            .name("cluster node " + (i + 1))
                            .arg("--cluster-enabled", "yes",
                                    "--cluster-config-file", "nodes.conf",
                                    "--cluster-node-timeout", "2000",
                                    "--cluster-replica-validity-factor", "0",
                                    // a replica's first sync at once, not after the 5 s default delay of 7.0
                                    "--repl-diskless-sync", "yes",
                                    "--repl-diskless-sync-delay", "0")
                            .arg(shapeArgs.toArray(new String[0]))
                            .arg(args.toArray(new String[0]))
                            .start());
                }
                LocalRedisCluster cluster = new LocalRedisCluster(nodes, nodeBinary, certificates);
                cluster.create(masters, replicasPerMaster);
                log.info("Started {} ({} masters, {} replicas each{}{}) in {} ms", cluster.source(), masters,
                        replicasPerMaster, hostname != null ? ", announcing hostname " + hostname : "",
                        tls ? ", TLS only" : "", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                return cluster;
            } catch (RuntimeException e) {
                for (LocalRedisServer node : nodes) {
                    try {
                        node.stop();
                    } catch (RuntimeException stopFailure) {
                        e.addSuppressed(stopFailure);
                    }
                }
                throw e;
            }
        }
    }
}
