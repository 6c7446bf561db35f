package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.testkit.AtomicSlotMigration;
import io.keyscan.testkit.LocalRedisCluster;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.RedisBinary;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Listings while a slot migrates atomically (Redis 8.4+ {@code CLUSTER MIGRATION IMPORT}, Valkey 9.0+
 * {@code CLUSTER MIGRATESLOTS}): the target holds keys of the slot before it serves it (the servers hide them from
 * SCAN and KEYS, see testkit's {@code AtomicSlotMigrationIT}), the source stops listing the slot at the handover, and
 * a cancelled import drops the target's copy. Every key in the cluster for the whole listing is listed, each once, on
 * both paths, from masters and from replicas, and no key that only the importing node holds. Skipped on servers
 * without atomic slot migration.
 */
class AtomicMigrationIT {

    private static final Duration WAIT = Duration.ofMinutes(3);
    /** Keys of the migrating slot: a snapshot of a few seconds at {@link #DELAY_MICROS} per key. */
    private static final int SLOT_KEYS = 3_000;
    private static final long DELAY_MICROS = 1_000;
    private static final String TAG = "{asm}";
    private static final int SLOT = SlotHash.getSlot(TAG);

    private static KeyScanOptions options(boolean useScan, boolean readFromReplicas) {
        return KeyScanOptions.builder().useScan(useScan).readFromReplicas(readFromReplicas).scanCountAutoTune(false)
                .scanCount(100).commandTimeout(Duration.ofSeconds(5)).build();
    }

    /** 3,000 keys in the slot that migrates and 12,000 all over the slots. */
    private static List<String> load(LocalRedisCluster cluster) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < SLOT_KEYS; i++) {
            keys.add(TAG + ":" + i);
        }
        for (int i = 0; i < 12_000; i++) {
            keys.add("key:" + i);
        }
        cluster.loadKeys(keys);
        return keys;
    }

    private static AtomicSlotMigration begin(LocalRedisCluster cluster) {
        LocalRedisServer source = cluster.nodeForSlot(SLOT);
        LocalRedisServer target = cluster.masters().stream().filter(master -> master != source).findFirst()
                .orElseThrow();
        AtomicSlotMigration migration = cluster.beginAtomicSlotMigration(target, DELAY_MICROS, SLOT, SLOT);
        migration.awaitTargetHolds(SLOT_KEYS / 10);
        return migration;
    }

    private static LocalRedisCluster atomicCluster() {
        LocalRedisCluster cluster = LocalRedisCluster.start();
        if (!cluster.supportsAtomicSlotMigration()) {
            cluster.close();
            assumeTrue(false, "no atomic slot migration on " + RedisBinary.find());
        }
        return cluster;
    }

    @Test
    void whileTheTargetImportsBothPathsListEveryKeyOnceFromMastersAndReplicas() {
        try (LocalRedisCluster cluster = atomicCluster()) {
            List<String> data = load(cluster);
            AtomicSlotMigration migration = begin(cluster);
            assertThat(migration.isFinished()).as("still importing: %s", migration).isFalse();
            for (KeyScanOptions options : List.of(options(true, false), options(false, false), options(true, true))) {
                try (KeyScanner scanner = LettuceKeyScanner.createCluster(cluster.redisUris(), options)) {
                    StepVerifier.create(scanner.fetchKeys("*"))
                            .assertNext(keys -> assertThat(keys).as("useScan %s, readFromReplicas %s",
                                    options.useScan(), options.readFromReplicas())
                                    .containsExactlyInAnyOrderElementsOf(data))
                            .expectComplete()
                            .verify(WAIT);
                }
            }
            migration.awaitCompleted();
        }
    }

    @Test
    void aMigrationThatCompletesMidListingLosesNoKeyAndEmitsNoneTwice() {
        listedAcross(AtomicSlotMigration::awaitCompleted);
    }

    @Test
    void aMigrationCancelledMidListingLosesNoKeyAndEmitsNoneTwice() {
        listedAcross(AtomicSlotMigration::cancel);
    }

    /** Lists with demand: a third of the keys, then {@code end} the migration, then the rest. */
    private void listedAcross(Consumer<AtomicSlotMigration> end) {
        try (LocalRedisCluster cluster = atomicCluster()) {
            List<String> data = load(cluster);
            AtomicSlotMigration migration = begin(cluster);
            for (boolean readFromReplicas : List.of(false, true)) {
                if (migration.isFinished()) {
                    migration = begin(cluster);
                }
                AtomicSlotMigration running = migration;
                List<String> listed = new ArrayList<>();
                KeyScanOptions options = options(true, readFromReplicas);
                try (KeyScanner scanner = LettuceKeyScanner.createCluster(cluster.redisUris(), options)) {
                    StepVerifier.create(scanner.scan("*").doOnNext(listed::add), 0)
                            .thenRequest(data.size() / 3)
                            .expectNextCount(data.size() / 3)
                            .then(() -> end.accept(running))
                            .thenRequest(Long.MAX_VALUE)
                            .thenConsumeWhile(key -> true)
                            .expectComplete()
                            .verify(WAIT);
                }
                Set<String> distinct = new HashSet<>(listed);
                assertThat(listed).as("each key once (readFromReplicas %s)", readFromReplicas)
                        .hasSize(distinct.size());
                assertThat(distinct).as("every key, none other (readFromReplicas %s)", readFromReplicas)
                        .isEqualTo(new HashSet<>(data));
            }
        }
    }
}
