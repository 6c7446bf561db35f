package io.keyscan.testkit;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One atomic slot migration of a {@link LocalRedisCluster}, begun by
 * {@link LocalRedisCluster#beginAtomicSlotMigration}: the servers move the slots' keys and their ownership
 * themselves, with no {@code -ASK} window, the way Redis 8.4+ and Valkey 9.0+ do it.
 *
 * <ul>
 *   <li>Redis ({@link Protocol#REDIS}): {@code CLUSTER MIGRATION IMPORT <first> <last> ...} sent to the target,
 *       which replies with a task id; {@code CLUSTER MIGRATION STATUS ID <id>} on either end;
 *       {@code CLUSTER MIGRATION CANCEL ID <id>} on the target ({@code src/cluster_asm.c}). Terminal states
 *       {@code completed}, {@code canceled}, {@code failed}.
 *   <li>Valkey ({@link Protocol#VALKEY}): {@code CLUSTER MIGRATESLOTS SLOTSRANGE <first> <last> ... NODE <target-id>}
 *       sent to the source, which replies {@code OK}; the job, named alike on both ends, is listed by
 *       {@code CLUSTER GETSLOTMIGRATIONS}; {@code CLUSTER CANCELSLOTMIGRATIONS} on the source cancels its exports
 *       ({@code src/cluster_migrateslots.c}). Terminal states {@code success}, {@code cancelled}, {@code failed}.
 * </ul>
 *
 * <p>Both servers copy the slots with a forked child that honours {@code rdb-key-save-delay} (microseconds per
 * key, a hidden config both keep for their own tests): {@link LocalRedisCluster#beginAtomicSlotMigration} sets it on
 * the source for the fork only, so {@code n} keys take about {@code n * delay} to reach the target and the
 * migration can be watched, or cancelled, mid-way.
 */
public final class AtomicSlotMigration {

    /** Which command family a server offers for atomic slot migration. */
    public enum Protocol {
        /** Redis 8.4+: {@code CLUSTER MIGRATION IMPORT | STATUS | CANCEL}, driven from the target. */
        REDIS,
        /** Valkey 9.0+: {@code CLUSTER MIGRATESLOTS | GETSLOTMIGRATIONS | CANCELSLOTMIGRATIONS}, from the source. */
        VALKEY
    }

    /** Slots {@code first} to {@code last}, both included. */
    public record SlotRange(int first, int last) {

        public SlotRange {
            if (first < 0 || last >= LocalRedisCluster.SLOTS || first > last) {
                throw new IllegalArgumentException("not a slot range: " + first + "-" + last);
            }
        }

        /** Whether {@code slot} is in this range. */
        public boolean contains(int slot) {
            return slot >= first && slot <= last;
        }

        @Override
        public String toString() {
            return first + "-" + last;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(AtomicSlotMigration.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final String DELAY_CONFIG = "rdb-key-save-delay";

    private final LocalRedisCluster cluster;
    private final Protocol protocol;
    private final List<SlotRange> ranges;
    private final LocalRedisServer source;
    private final LocalRedisServer target;
    private final String id;

    private AtomicSlotMigration(LocalRedisCluster cluster, Protocol protocol, List<SlotRange> ranges,
            LocalRedisServer source, LocalRedisServer target, String id) {
        this.cluster = cluster;
        this.protocol = protocol;
        this.ranges = List.copyOf(ranges);
        this.source = source;
        this.target = target;
        this.id = id;
    }

    /**
     * The atomic slot migration {@code node} offers, found by asking it whether it knows the command
     * ({@code COMMAND INFO CLUSTER|MIGRATION}, {@code COMMAND INFO CLUSTER|MIGRATESLOTS}), not by its version; empty
     * when it knows neither (Redis before 8.4, Valkey before 9.0).
     */
    public static Optional<Protocol> protocolOf(RedisServer node) {
        if (knowsCommand(node, "cluster|migration")) {
            return Optional.of(Protocol.REDIS);
        }
        if (knowsCommand(node, "cluster|migrateslots")) {
            return Optional.of(Protocol.VALKEY);
        }
        return Optional.empty();
    }

    private static boolean knowsCommand(RedisServer node, String name) {
        List<Object> info;
        try {
            info = node.admin().dispatch(CommandType.COMMAND, new NestedMultiOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).add("INFO").add(name));
        } catch (RuntimeException e) {
            return false; // a server without subcommand names in COMMAND INFO (before 7.0) has no such command either
        }
        return info != null && !info.isEmpty() && info.get(0) instanceof List<?> entry && !entry.isEmpty();
    }

    /** Starts the migration; see {@link LocalRedisCluster#beginAtomicSlotMigration}. */
    static AtomicSlotMigration begin(LocalRedisCluster cluster, Protocol protocol, List<SlotRange> ranges,
            LocalRedisServer source, LocalRedisServer target, long snapshotDelayMicrosPerKey) {
        String previousDelay = config(source, DELAY_CONFIG);
        setConfig(source, DELAY_CONFIG, Long.toString(snapshotDelayMicrosPerKey));
        try {
            String id;
            if (protocol == Protocol.REDIS) {
                CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("MIGRATION").add("IMPORT");
                for (SlotRange range : ranges) {
                    args.add(range.first()).add(range.last());
                }
                id = target.admin().dispatch(CommandType.CLUSTER, new StatusOutput<>(StringCodec.UTF8), args);
            } else {
                Set<String> before = jobNames(source);
                CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("MIGRATESLOTS")
                        .add("SLOTSRANGE");
                for (SlotRange range : ranges) {
                    args.add(range.first()).add(range.last());
                }
                args.add("NODE").add(cluster.nodeId(target));
                String reply = source.admin().dispatch(CommandType.CLUSTER, new StatusOutput<>(StringCodec.UTF8),
                        args);
                if (!"OK".equals(reply)) {
                    throw new IllegalStateException("CLUSTER MIGRATESLOTS replied " + reply);
                }
                id = newExportJob(source, before, ranges);
            }
            AtomicSlotMigration migration = new AtomicSlotMigration(cluster, protocol, ranges, source, target, id);
            // The delay is read by the child the source forks for the slots' snapshot, at some point after the
            // source's state says it sends the snapshot (Redis forks when the target's second, "rdb" channel is
            // ready). The first key on the target proves the child runs: only then does the source go back to its
            // own setting (the delay would slow down its replicas' full syncs too).
            cluster.awaitCondition("the snapshot of " + migration + " to start", () -> {
                if (migration.isFinished()) {
                    return null;
                }
                long held = migration.keysHeldBy(target);
                return held > 0 ? null : "the target holds no key of the slots yet (source in state "
                        + migration.sourceState() + ", target " + migration.targetState() + ")";
            });
            log.info("Began {}", migration);
            return migration;
        } finally {
            setConfig(source, DELAY_CONFIG, previousDelay);
        }
    }

    /** The command family of the servers. */
    public Protocol protocol() {
        return protocol;
    }

    /** The task id (Redis) or job name (Valkey), the same on both ends. */
    public String id() {
        return id;
    }

    /** The slots that move. */
    public List<SlotRange> ranges() {
        return ranges;
    }

    /** Whether {@code slot} is one of those that move. */
    public boolean covers(int slot) {
        for (SlotRange range : ranges) {
            if (range.contains(slot)) {
                return true;
            }
        }
        return false;
    }

    /** The master the slots move from. */
    public LocalRedisServer source() {
        return source;
    }

    /** The master the slots move to. */
    public LocalRedisServer target() {
        return target;
    }

    /**
     * What {@code node} (the source or the target) reports about this migration: the fields of its entry in
     * {@code CLUSTER MIGRATION STATUS ID <id>} (Redis) or {@code CLUSTER GETSLOTMIGRATIONS} (Valkey); empty if it
     * has none.
     */
    public Map<String, String> status(LocalRedisServer node) {
        List<Object> entries;
        if (protocol == Protocol.REDIS) {
            entries = node.admin().dispatch(CommandType.CLUSTER, new NestedMultiOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).add("MIGRATION").add("STATUS").add("ID").add(id));
        } else {
            entries = node.admin().dispatch(CommandType.CLUSTER, new NestedMultiOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).add("GETSLOTMIGRATIONS"));
        }
        for (Map<String, String> entry : entries(entries)) {
            if (protocol == Protocol.REDIS ? id.equals(entry.get("id")) : id.equals(entry.get("name"))) {
                return entry;
            }
        }
        return Map.of();
    }

    /** The target's state of the migration, e.g. {@code accumulate-buffer} or {@code receiving-snapshot}. */
    public String targetState() {
        return status(target).getOrDefault("state", "(none)");
    }

    /** The source's state of the migration, e.g. {@code send-bulk-and-stream} or {@code snapshotting}. */
    public String sourceState() {
        return status(source).getOrDefault("state", "(none)");
    }

    /** Whether the target's state is terminal: completed, cancelled or failed. */
    public boolean isFinished() {
        return isTerminal(targetState());
    }

    /** Whether the target reports the migration completed. */
    public boolean isCompleted() {
        return isSuccess(targetState());
    }

    private boolean isSuccess(String state) {
        return state.equals(protocol == Protocol.REDIS ? "completed" : "success");
    }

    private static boolean isTerminal(String state) {
        return List.of("completed", "success", "canceled", "cancelled", "failed").contains(state);
    }

    /**
     * How many keys of the moving slots {@code node} (the target or one of its replicas) holds, by the server's own
     * account, whether it shows them to clients or not: on Redis {@code INFO keyspace} {@code keys} minus
     * {@code DBSIZE} (the keys it hides, which before the handover are the imported ones, and no other keys of
     * the node are hidden), on Valkey the sum of {@code CLUSTER COUNTKEYSINSLOT} over the slots (which counts
     * importing keys, valkey#2726).
     */
    public long keysHeldBy(RedisServer node) {
        if (protocol == Protocol.REDIS) {
            long all = 0;
            for (String line : node.admin().info("keyspace").split("\r?\n")) {
                if (line.startsWith("db0:")) {
                    all = Long.parseLong(Convergence.infoFields(line.substring(4).replace(',', '\n')
                            .replace('=', ':')).get("keys"));
                }
            }
            return all - node.admin().dbsize();
        }
        long held = 0;
        for (SlotRange range : ranges) {
            for (int slot = range.first(); slot <= range.last(); slot++) {
                held += node.admin().clusterCountKeysInSlot(slot);
            }
        }
        return held;
    }

    /**
     * Waits until the target holds at least {@code keys} keys of the slots ({@link #keysHeldBy}) while the
     * migration is still running: the moment to look at what the nodes show mid-way.
     *
     * @throws IllegalStateException if the migration finishes first, or on a 30 s timeout
     */
    public void awaitTargetHolds(long keys) {
        cluster.awaitCondition("the target of " + this + " to hold " + keys + " keys of its slots", () -> {
            long held = keysHeldBy(target);
            String state = targetState();
            if (isTerminal(state)) {
                throw new IllegalStateException(this + " finished (" + state + ") before the target held " + keys
                        + " keys (it holds " + held + "); target: " + status(target) + ", source: " + status(source)
                        + "\nsource's log:\n" + source.logTail());
            }
            return held >= keys ? null : "the target holds " + held + " (state " + state + ")";
        });
    }

    /**
     * Waits until both ends report the migration completed, every running node sees the target serve the slots,
     * and the cluster is healthy.
     *
     * @throws IllegalStateException if the migration failed or was cancelled, or on timeout
     */
    public void awaitCompleted() {
        cluster.awaitCondition(this + " to complete", () -> {
            String targetState = targetState();
            String sourceState = sourceState();
            if (isTerminal(targetState) && !isSuccess(targetState)) {
                throw new IllegalStateException(this + " ended " + targetState + " on the target: " + status(target));
            }
            if (!isSuccess(targetState) || !isSuccess(sourceState)) {
                return "target " + targetState + ", source " + sourceState;
            }
            String owner = cluster.ownershipProblem(slotSet(), target);
            return owner != null ? owner : cluster.healthProblemOrNull();
        });
        log.info("Completed {}", this);
    }

    /**
     * Cancels the migration ({@code CLUSTER MIGRATION CANCEL ID} on the target for Redis,
     * {@code CLUSTER CANCELSLOTMIGRATIONS} on the source for Valkey) and waits until both ends report it ended, the
     * source still serves the slots in every node's view, the target and its replicas hold no key of them any more
     * ({@link #keysHeldBy}), and the cluster is healthy.
     *
     * @throws IllegalStateException if the migration completed before it could be cancelled, or on timeout
     */
    public void cancel() {
        if (protocol == Protocol.REDIS) {
            Long cancelled = target.admin().dispatch(CommandType.CLUSTER, new IntegerOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).add("MIGRATION").add("CANCEL").add("ID").add(id));
            if (cancelled == null || cancelled == 0) {
                throw new IllegalStateException("CLUSTER MIGRATION CANCEL cancelled nothing: " + status(target));
            }
        } else {
            source.admin().dispatch(CommandType.CLUSTER, new StatusOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).add("CANCELSLOTMIGRATIONS"));
        }
        cluster.awaitCondition(this + " to be cancelled", () -> {
            String targetState = targetState();
            String sourceState = sourceState();
            if (isSuccess(targetState)) {
                throw new IllegalStateException(this + " completed before it was cancelled");
            }
            if (!isTerminal(targetState) || !isTerminal(sourceState)) {
                return "target " + targetState + ", source " + sourceState;
            }
            String owner = cluster.ownershipProblem(slotSet(), source);
            if (owner != null) {
                return owner;
            }
            long held = keysHeldBy(target);
            if (held != 0) {
                return "the target still holds " + held + " keys of the slots";
            }
            for (LocalRedisServer replica : cluster.replicasOf(target)) {
                long replicaHeld = keysHeldBy(replica);
                if (replicaHeld != 0) {
                    return "a replica of the target still holds " + replicaHeld + " keys of the slots";
                }
            }
            return cluster.healthProblemOrNull();
        });
        log.info("Cancelled {}", this);
    }

    private BitSet slotSet() {
        BitSet slots = new BitSet(LocalRedisCluster.SLOTS);
        for (SlotRange range : ranges) {
            slots.set(range.first(), range.last() + 1);
        }
        return slots;
    }

    @Override
    public String toString() {
        return "atomic migration " + id + " of slots " + ranges + " from " + source.uri() + " to " + target.uri();
    }

    // ---- replies

    /** The entries of a list of maps (RESP3) or of flat field/value arrays (RESP2), as string maps. */
    private static List<Map<String, String>> entries(List<Object> reply) {
        List<Map<String, String>> entries = new ArrayList<>();
        if (reply == null) {
            return entries;
        }
        for (Object entry : reply) {
            if (entry instanceof List<?> fields) {
                Map<String, String> map = new LinkedHashMap<>();
                for (int i = 0; i + 1 < fields.size(); i += 2) {
                    map.put(String.valueOf(fields.get(i)), Objects.toString(fields.get(i + 1), ""));
                }
                entries.add(map);
            }
        }
        return entries;
    }

    private static Set<String> jobNames(LocalRedisServer node) {
        Set<String> names = new HashSet<>();
        for (Map<String, String> entry : entries(node.admin().dispatch(CommandType.CLUSTER,
                new NestedMultiOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add("GETSLOTMIGRATIONS")))) {
            names.add(entry.get("name"));
        }
        return names;
    }

    /** The name of the export job {@code CLUSTER MIGRATESLOTS} just created on {@code source}. */
    private static String newExportJob(LocalRedisServer source, Set<String> before, List<SlotRange> ranges) {
        List<String> wanted = new ArrayList<>();
        for (SlotRange range : ranges) {
            wanted.add(range.toString());
        }
        for (Map<String, String> entry : entries(source.admin().dispatch(CommandType.CLUSTER,
                new NestedMultiOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add("GETSLOTMIGRATIONS")))) {
            if (!before.contains(entry.get("name")) && "EXPORT".equals(entry.get("operation"))
                    && List.of(entry.getOrDefault("slot_ranges", "").split(" ")).equals(wanted)) {
                return entry.get("name");
            }
        }
        throw new IllegalStateException("CLUSTER GETSLOTMIGRATIONS on " + source.uri()
                + " lists no new export of slots " + wanted);
    }

    private static String config(RedisServer node, String name) {
        Map<String, String> values = node.admin().configGet(name);
        String value = values.get(name);
        if (value == null) {
            throw new IllegalStateException(node.uri() + " has no config " + name);
        }
        return value;
    }

    private static void setConfig(RedisServer node, String name, String value) {
        node.admin().configSet(name, value);
    }
}
