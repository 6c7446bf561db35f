package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.testkit.LocalRedisCluster;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.LogCapture;
import io.keyscan.testkit.RedisBinary;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Parallel slot ranges inside one cluster node, against real servers: a node whose SCAN cursor carries the slot (one
 * table per slot) is walked by several cursors at once, each over its own slots, and loses no key while keys are
 * written and deleted meanwhile; a node with one table for all slots (Redis 7.0) keeps one cursor.
 */
class ClusterSlotRangesIT {

    private static final Duration WAIT = Duration.ofMinutes(3);

    private static List<String> keys(String prefix, int from, int to) {
        List<String> keys = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            keys.add(prefix + i);
        }
        return keys;
    }

    @Test
    void slotRangesLoseNoKeyWhileKeysAreWrittenAndDeleted() {
        try (LocalRedisCluster cluster = LocalRedisCluster.builder().replicasPerMaster(0).start();
                LogCapture logs = LogCapture.keyscan()) {
            List<String> survivors = keys("range:keep:", 0, 30_000);
            List<String> doomed = keys("range:drop:", 0, 8_000);
            cluster.loadKeys(survivors);
            cluster.loadKeys(doomed);
            // from the 30th page on, each of 40 pages brings 500 new keys and deletes 200 others, all over the slots
            List<Runnable> steps = new ArrayList<>();
            for (int step = 0; step < 40; step++) {
                List<String> added = keys("range:new:", step * 500, step * 500 + 500);
                List<String> deleted = doomed.subList(step * 200, step * 200 + 200);
                steps.add(() -> {
                    cluster.loadKeys(added);
                    for (String key : deleted) {
                        LocalRedisServer owner = cluster.nodeForSlot(SlotHash.getSlot(key));
                        owner.admin().del(key);
                    }
                });
            }
            MidListing changes = new MidListing(30, steps);
            KeyScanOptions options = KeyScanOptions.builder().useScan(true).scanCountAutoTune(false).scanCount(20)
                    .scanParallelism(4).listener(changes).build();
            try (KeyScanner scanner = LettuceKeyScanner.createCluster(cluster.redisUris(), options)) {
                StepVerifier.create(scanner.fetchKeys("range:*"))
                        .assertNext(listed -> {
                            Completeness.assertNothingLost(listed, survivors);
                            assertThat(listed).doesNotHaveDuplicates();
                        })
                        .expectComplete()
                        .verify(WAIT);
            }
            changes.assertRanInTheMiddle();
            boolean tablePerSlot = SlotProgressIT.tablePerSlot();
            assertThat(logs.messages().stream().filter(line -> line.contains("with 4 cursor ranges")).count())
                    .as("nodes walked with 4 slot ranges on %s", RedisBinary.find().source())
                    .isEqualTo(tablePerSlot ? 3 : 0);
        }
    }
}
