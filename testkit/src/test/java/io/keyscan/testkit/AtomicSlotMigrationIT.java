package io.keyscan.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the servers show while they migrate slots atomically (Redis 8.4+ {@code CLUSTER MIGRATION IMPORT}, Valkey
 * 9.0+ {@code CLUSTER MIGRATESLOTS}): the facts a key lister relies on, pinned on real servers. Skipped (assumption)
 * on servers without atomic slot migration, except the support check itself.
 */
@ExtendWith(RedisClusterExtension.class)
class AtomicSlotMigrationIT {

    private static final Logger log = LoggerFactory.getLogger(AtomicSlotMigrationIT.class);
    /** Keys of the migrating slot: enough for a snapshot of a few seconds at {@link #DELAY_MICROS} per key. */
    private static final int KEYS = 3000;
    private static final long DELAY_MICROS = 1000;
    private static final String TAG = "{asm}";
    private static final int SLOT = SlotHash.getSlot(TAG);
    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final int HANDOVER_ROUNDS = 5;

    @Test
    void supportIsFoundInTheCommandTable(LocalRedisCluster cluster) {
        RedisBinary binary = RedisBinary.find();
        String[] version = binary.version().split("\\.");
        int major = Integer.parseInt(version[0]);
        int minor = Integer.parseInt(version[1]);
        boolean expected = binary.isValkey() ? major >= 9 : major > 8 || (major == 8 && minor >= 4);
        assertThat(cluster.supportsAtomicSlotMigration()).as(binary.version()).isEqualTo(expected);
        assertThat(AtomicSlotMigration.protocolOf(cluster.masters().get(0)))
                .isEqualTo(expected ? java.util.Optional.of(binary.isValkey() ? AtomicSlotMigration.Protocol.VALKEY
                        : AtomicSlotMigration.Protocol.REDIS) : java.util.Optional.empty());
    }

    /**
     * During the import the target holds keys of a slot it does not serve yet. Neither it nor its replica lists them
     * (SCAN, KEYS, DBSIZE); only Valkey's {@code CLUSTER COUNTKEYSINSLOT} counts them. The source lists the whole
     * slot until the handover. No node's {@code CLUSTER NODES} marks the slot (no {@code [slot-<-id]}), and
     * {@code CLUSTER SLOTS} names the source.
     */
    @Test
    void importingKeysAreHiddenOnTheTargetAndItsReplicaUntilTheHandover(LocalRedisCluster cluster) {
        assumeTrue(cluster.supportsAtomicSlotMigration(), "no atomic slot migration on " + RedisBinary.find());
        Set<String> slotKeys = loadSlotAndNoise(cluster);
        LocalRedisServer source = cluster.nodeForSlot(SLOT);
        LocalRedisServer target = otherMaster(cluster, source);
        LocalRedisServer targetReplica = cluster.replicasOf(target).get(0);
        long targetOwnKeys = target.admin().dbsize();

        AtomicSlotMigration migration = cluster.beginAtomicSlotMigration(target, DELAY_MICROS, SLOT, SLOT);
        migration.awaitTargetHolds(KEYS / 10);

        int looks = 0;
        long heldSeen = 0;
        while (!migration.isFinished() && looks < 5) {
            long held = migration.keysHeldBy(target);
            List<String> targetScan = scan(target);
            List<String> targetKeys = target.admin().keys("*");
            long targetCount = target.admin().clusterCountKeysInSlot(SLOT);
            long targetSize = target.admin().dbsize();
            List<String> replicaScan = scan(targetReplica);
            List<String> replicaKeys = targetReplica.admin().keys("*");
            List<String> sourceScan = scan(source);
            String nodes = cluster.clusterNodes();
            List<Object> slots = target.admin().clusterSlots();
            if (migration.isCompleted() || !migration.covers(SLOT) || held >= KEYS) {
                break; // handed over while we looked: what we saw may be after it
            }
            looks++;
            heldSeen = Math.max(heldSeen, held);
            assertThat(held).as("keys of the slot on the target (server's own count)").isPositive();
            assertThat(inSlot(targetScan)).as("target SCAN").isEmpty();
            assertThat(inSlot(targetKeys)).as("target KEYS").isEmpty();
            assertThat(targetSize).as("target DBSIZE").isEqualTo(targetOwnKeys);
            if (migration.protocol() == AtomicSlotMigration.Protocol.REDIS) {
                assertThat(targetCount).as("Redis target CLUSTER COUNTKEYSINSLOT").isZero();
            } else {
                assertThat(targetCount).as("Valkey target CLUSTER COUNTKEYSINSLOT").isPositive();
            }
            assertThat(inSlot(replicaScan)).as("target replica SCAN").isEmpty();
            assertThat(inSlot(replicaKeys)).as("target replica KEYS").isEmpty();
            assertThat(new HashSet<>(inSlot(sourceScan))).as("source SCAN").isEqualTo(slotKeys);
            assertThat(nodes).as("CLUSTER NODES of every node").doesNotContain("[");
            assertThat(slotsOwner(slots, SLOT)).as("CLUSTER SLOTS on the target").isEqualTo(source.port());
            assertThat(cluster.ownershipProblem(bit(SLOT), source)).as("every node's CLUSTER NODES").isNull();
            if (migration.protocol() == AtomicSlotMigration.Protocol.VALKEY) {
                // CLUSTERSCAN's cursor names the slot by a hash tag: the target redirects it to the source.
                assertThatThrownBy(() -> clusterScan(target, "0-" + TAG + "-0", SLOT))
                        .isInstanceOf(RedisCommandExecutionException.class)
                        .hasMessageStartingWith("MOVED " + SLOT + " 127.0.0.1:" + source.port());
            }
        }
        log.info("{}: looked {} times mid-way, the target holding up to {} of {} keys; states now {} / {}", migration,
                looks, heldSeen, KEYS, migration.sourceState(), migration.targetState());
        assertThat(looks).as("looks while the import ran (slow it down if 0)").isPositive();

        migration.awaitCompleted();
        assertThat(new HashSet<>(inSlot(scan(target)))).isEqualTo(slotKeys);
        assertThat(inSlot(scan(source))).isEmpty();
        Convergence.await("the target's replica to list the slot", SETTLE,
                () -> new HashSet<>(inSlot(scan(targetReplica))).equals(slotKeys) ? null
                        : inSlot(scan(targetReplica)).size() + " keys", cluster::clusterNodes);
        cluster.flushAll();
    }

    /**
     * A cancelled import leaves nothing on the target or its replicas (not even counted by the server), the source
     * serves the slot throughout, and no node ever listed a key of the slot it did not serve.
     */
    @Test
    void aCancelledImportVanishesFromTheTarget(LocalRedisCluster cluster) {
        assumeTrue(cluster.supportsAtomicSlotMigration(), "no atomic slot migration on " + RedisBinary.find());
        Set<String> slotKeys = loadSlotAndNoise(cluster);
        LocalRedisServer source = cluster.nodeForSlot(SLOT);
        LocalRedisServer target = otherMaster(cluster, source);

        AtomicSlotMigration migration = cluster.beginAtomicSlotMigration(target, DELAY_MICROS, SLOT, SLOT);
        migration.awaitTargetHolds(KEYS / 10);
        long heldAtCancel = migration.keysHeldBy(target);
        assertThat(inSlot(scan(target))).isEmpty();

        migration.cancel(); // waits until the target and its replicas hold none of them

        log.info("{}: cancelled with {} of {} keys on the target; states {} / {}", migration, heldAtCancel, KEYS,
                migration.sourceState(), migration.targetState());
        assertThat(migration.targetState()).isIn("canceled", "cancelled", "failed");
        assertThat(cluster.nodeForSlot(SLOT)).isSameAs(source);
        assertThat(new HashSet<>(inSlot(scan(source)))).isEqualTo(slotKeys);
        assertThat(inSlot(scan(target))).isEmpty();
        assertThat(target.admin().clusterCountKeysInSlot(SLOT)).isZero();
        for (LocalRedisServer replica : cluster.replicasOf(target)) {
            assertThat(inSlot(scan(replica))).isEmpty();
            assertThat(migration.keysHeldBy(replica)).isZero();
        }
        cluster.flushAll();
    }

    /**
     * The handover, sampled as fast as one client can: each sample is one SCAN call per node covering all its keys
     * (the nodes hold the slot's keys only), the two nodes asked one after the other, alternately source first and
     * target first. As the target only gains the slot and the source only loses it, "source shows none, then target
     * shows none" proves a moment where neither listed the slot, and "target shows all, then source shows all" a
     * moment where both did. Asserted: the masters never show "neither", and no single SCAN call shows part of the
     * slot. What the replicas and "both" show is logged (totals over {@link #HANDOVER_ROUNDS} handovers): it is
     * timing, not a guarantee either way.
     */
    @Test
    void atTheHandoverTheSlotIsNeverListedByNeitherMaster(LocalRedisCluster cluster) {
        assumeTrue(cluster.supportsAtomicSlotMigration(), "no atomic slot migration on " + RedisBinary.find());
        cluster.flushAll();
        List<String> keys = IntStream.range(0, KEYS).mapToObj(i -> TAG + ":" + i).toList();
        cluster.loadKeys(keys);
        Tally masters = new Tally();
        Tally replicas = new Tally();
        for (int round = 0; round < HANDOVER_ROUNDS; round++) { // back and forth: more handovers, more evidence
            LocalRedisServer source = cluster.nodeForSlot(SLOT);
            LocalRedisServer target = otherMaster(cluster, source);
            LocalRedisServer sourceReplica = cluster.replicasOf(source).get(0);
            LocalRedisServer targetReplica = cluster.replicasOf(target).get(0);
            AtomicSlotMigration migration = cluster.beginAtomicSlotMigration(target, 100, SLOT, SLOT);
            long deadline = System.nanoTime() + SETTLE.toNanos();
            boolean sourceFirst = true;
            int settledSamples = 0;
            while (settledSamples < 20 && System.nanoTime() < deadline) {
                masters.sample(source, target, sourceFirst);
                replicas.sample(sourceReplica, targetReplica, sourceFirst);
                sourceFirst = !sourceFirst;
                if (masters.lastSettled() && replicas.lastSettled()) {
                    settledSamples++;
                }
            }
            migration.awaitCompleted();
            log.info("{}: masters {}; replicas {}", migration, masters, replicas);
        }
        assertThat(masters.neither).as("samples proving no master listed the slot").isZero();
        assertThat(masters.partial).as("single SCAN calls listing part of the slot").isZero();
        assertThat(masters.samples).isGreaterThan(10);
        cluster.flushAll();
    }

    /**
     * A per-node SCAN walk skips a slot its node cannot serve at the moment its cursor gets there: the target's walk
     * passes the importing slot before the handover without a key of it, the source's walk reaches it after the
     * handover and gets none either. Two walks that cross the handover this way list no key of the slot at all,
     * though every key was in the cluster throughout; the other keys of both nodes are all listed.
     */
    @Test
    void walksCrossingTheHandoverMissTheSlotOnBothNodes(LocalRedisCluster cluster) {
        assumeTrue(cluster.supportsAtomicSlotMigration(), "no atomic slot migration on " + RedisBinary.find());
        cluster.flushAll();
        int slot = 1000;
        LocalRedisServer source = cluster.nodeForSlot(slot);
        for (int other = slot - 50; other <= slot + 50; other++) {
            assumeTrue(cluster.nodeForSlot(other) == source, "slots around " + slot + " not on one master");
        }
        LocalRedisServer target = otherMaster(cluster, source);
        String tag = "{" + tagFor(slot) + "}";
        List<String> slotKeys = IntStream.range(0, KEYS).mapToObj(i -> tag + ":" + i).toList();
        List<String> others = new ArrayList<>();
        for (int other = slot - 50; other <= slot + 50; other++) {
            if (other != slot) {
                for (int i = 0; i < 20; i++) {
                    others.add("{" + tagFor(other) + "}:" + i);
                }
            }
        }
        List<String> all = new ArrayList<>(slotKeys);
        all.addAll(others);
        cluster.loadKeys(all);

        // the source's walk: stopped at a slot below the migrating one
        Walk sourceWalk = new Walk(source);
        while (sourceWalk.slotBits() < slot - 10) {
            sourceWalk.next();
        }
        assertThat(sourceWalk.slotBits()).isLessThan(slot);

        AtomicSlotMigration migration = cluster.beginAtomicSlotMigration(target, DELAY_MICROS, slot, slot);
        // the target's walk: past the importing slot before the handover
        Walk targetWalk = new Walk(target);
        while (!targetWalk.finished() && targetWalk.slotBits() <= slot) {
            targetWalk.next();
        }
        assertThat(migration.isCompleted()).as("handed over before the target's walk passed the slot").isFalse();
        migration.awaitCompleted();
        sourceWalk.finish();
        targetWalk.finish();

        Set<String> listed = new HashSet<>(sourceWalk.keys);
        listed.addAll(targetWalk.keys);
        log.info("{}: source walk {} keys, target walk {} keys", migration, sourceWalk.keys.size(),
                targetWalk.keys.size());
        assertThat(listed).as("keys of other slots").containsAll(others);
        assertThat(listed.stream().filter(key -> SlotHash.getSlot(key) == slot)).as("keys of the migrated slot")
                .isEmpty();
        assertThat(new HashSet<>(scan(target))).as("a walk of the target after the handover").containsAll(slotKeys);
        cluster.flushAll();
    }

    /** One node's SCAN walk, COUNT 10, a call at a time. */
    private static final class Walk {
        final RedisServer node;
        final List<String> keys = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;

        Walk(RedisServer node) {
            this.node = node;
        }

        void next() {
            KeyScanCursor<String> page = node.admin().scan(cursor, ScanArgs.Builder.limit(10));
            keys.addAll(page.getKeys());
            cursor = page;
        }

        boolean finished() {
            return cursor.isFinished();
        }

        /** The slot bits (low 14) of the cursor to send next. */
        long slotBits() {
            return Long.parseUnsignedLong(cursor.getCursor()) & (LocalRedisCluster.SLOTS - 1);
        }

        void finish() {
            while (!finished()) {
                next();
            }
        }
    }

    /** A short string of letters and digits hashing to {@code slot}. */
    private static String tagFor(int slot) {
        String alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        for (int a = 0; a < alphabet.length(); a++) {
            for (int b = 0; b < alphabet.length(); b++) {
                for (int c = 0; c < alphabet.length(); c++) {
                    String tag = "" + alphabet.charAt(a) + alphabet.charAt(b) + alphabet.charAt(c);
                    if (SlotHash.getSlot(tag) == slot) {
                        return tag;
                    }
                }
            }
        }
        throw new IllegalStateException("no 3-character tag for slot " + slot);
    }

    /** Samples of two nodes' single-call SCAN of the slot around a handover (see the test above). */
    private static final class Tally {
        int samples;
        int neither;
        int both;
        int partial;
        int multiCall;
        int lastSource = -1;
        int lastTarget = -1;

        void sample(LocalRedisServer source, LocalRedisServer target, boolean sourceFirst) {
            int sourceCount;
            int targetCount;
            if (sourceFirst) {
                sourceCount = oneCall(source);
                targetCount = oneCall(target);
            } else {
                targetCount = oneCall(target);
                sourceCount = oneCall(source);
            }
            samples++;
            lastSource = sourceCount;
            lastTarget = targetCount;
            if (sourceCount < 0 || targetCount < 0) {
                multiCall++;
                return;
            }
            if ((sourceCount > 0 && sourceCount < KEYS) || (targetCount > 0 && targetCount < KEYS)) {
                partial++;
            }
            if (sourceFirst && sourceCount == 0 && targetCount == 0) {
                neither++;
            }
            if (!sourceFirst && sourceCount == KEYS && targetCount == KEYS) {
                both++;
            }
        }

        boolean lastSettled() {
            return lastSource == 0 && lastTarget == KEYS;
        }

        /** The keys of the slot one SCAN call with a huge COUNT returns; -1 if it did not finish the walk. */
        private static int oneCall(LocalRedisServer node) {
            KeyScanCursor<String> page = node.admin().scan(ScanCursor.INITIAL, ScanArgs.Builder.limit(1_000_000));
            return page.isFinished() ? inSlot(page.getKeys()).size() : -1;
        }

        @Override
        public String toString() {
            return samples + " samples: neither " + neither + ", both " + both + ", partial " + partial
                    + ", multi-call " + multiCall;
        }
    }

    // ---- helpers

    /** Flushes, then loads {@link #KEYS} keys of the slot and 500 keys spread elsewhere; returns the slot's. */
    private static Set<String> loadSlotAndNoise(LocalRedisCluster cluster) {
        cluster.flushAll();
        List<String> keys = new ArrayList<>();
        IntStream.range(0, KEYS).forEach(i -> keys.add(TAG + ":" + i));
        Set<String> slotKeys = new HashSet<>(keys);
        IntStream.range(0, 500).mapToObj(i -> "noise:" + i).filter(key -> SlotHash.getSlot(key) != SLOT)
                .forEach(keys::add);
        cluster.loadKeys(keys);
        return slotKeys;
    }

    private static LocalRedisServer otherMaster(LocalRedisCluster cluster, LocalRedisServer source) {
        return cluster.masters().stream().filter(master -> master != source).findFirst().orElseThrow();
    }

    private static List<String> scan(RedisServer node) {
        List<String> keys = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = node.admin().scan(cursor, ScanArgs.Builder.limit(1000));
            keys.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished());
        return keys;
    }

    private static List<String> inSlot(List<String> keys) {
        return keys.stream().filter(key -> SlotHash.getSlot(key) == SLOT).collect(Collectors.toList());
    }

    private static java.util.BitSet bit(int slot) {
        java.util.BitSet bits = new java.util.BitSet();
        bits.set(slot);
        return bits;
    }

    /** The port of the master {@code CLUSTER SLOTS} gives for {@code slot}. */
    private static int slotsOwner(List<Object> slots, int slot) {
        for (Object range : slots) {
            List<?> fields = (List<?>) range;
            if (((Number) fields.get(0)).intValue() <= slot && slot <= ((Number) fields.get(1)).intValue()) {
                return ((Number) ((List<?>) fields.get(2)).get(1)).intValue();
            }
        }
        throw new AssertionError("CLUSTER SLOTS has no range with slot " + slot + ": " + slots);
    }

    private enum Valkey implements ProtocolKeyword {
        CLUSTERSCAN;

        @Override
        public byte[] getBytes() {
            return name().getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** {@code CLUSTERSCAN cursor SLOT slot COUNT 1000} on {@code node}: [cursor, [keys]]. */
    static List<Object> clusterScan(RedisServer node, String cursor, int slot) {
        return node.admin().dispatch(Valkey.CLUSTERSCAN, new NestedMultiOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add(cursor).add("SLOT").add(slot).add("COUNT").add(1000));
    }
}
