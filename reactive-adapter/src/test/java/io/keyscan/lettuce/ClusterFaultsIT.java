package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanException;
import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.testkit.LocalRedisCluster;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.LogCapture;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * A master failed over, a master killed, slots migrated mid-listing, and a shard that stays down: each test starts its own 3+3 cluster, lists it
 * page by page with demand, and changes the cluster in the middle.
 */
class ClusterFaultsIT {

    private static final Duration WAIT = Duration.ofMinutes(2);

    /**
     * Small pages, so that a listing has many steps to interrupt; and retries that span a failover (the test
     * cluster's node timeout is 2 s).
     */
    private static final KeyScanOptions OPTIONS = KeyScanOptions.builder()
            .useScan(true)
            .scanCountAutoTune(false)
            .scanCount(50)
            .commandTimeout(Duration.ofSeconds(2))
            .retryMaxAttempts(12)
            .retryFirstBackoff(Duration.ofMillis(200))
            .retryMaxBackoff(Duration.ofSeconds(1))
            .build();

    private static List<String> load(LocalRedisCluster cluster, int count) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            keys.add(String.format("key:%05d", i));
        }
        cluster.loadKeys(keys);
        return keys;
    }

    @Test
    void aFailoverMidScanLosesNothing() {
        try (LocalRedisCluster cluster = LocalRedisCluster.start();
                KeyScanner scanner = LettuceKeyScanner.createCluster(cluster.redisUris(), OPTIONS)) {
            List<String> data = load(cluster, 9_000);
            LocalRedisServer replica = cluster.replicas().get(0);
            Set<String> seen = new HashSet<>();
            StepVerifier.create(scanner.scan("key:*").doOnNext(seen::add), 0)
                    .thenRequest(1_500)
                    .expectNextCount(1_500)
                    .then(() -> cluster.failover(replica))
                    .thenRequest(Long.MAX_VALUE)
                    .thenConsumeWhile(key -> true)
                    .expectComplete()
                    .verify(WAIT);
            Completeness.assertNothingLost(seen, data);
        }
    }

    @Test
    void aKilledMasterMidScanLosesNothing() {
        try (LocalRedisCluster cluster = LocalRedisCluster.start();
                KeyScanner scanner = LettuceKeyScanner.createCluster(cluster.redisUris(), OPTIONS);
                LogCapture logs = LogCapture.keyscan()) {
            List<String> data = load(cluster, 9_000);
            LocalRedisServer master = cluster.masters().get(1);
            Set<String> seen = new HashSet<>();
            StepVerifier.create(scanner.scan("key:*").doOnNext(seen::add), 0)
                    .thenRequest(1_500)
                    .expectNextCount(1_500)
                    .then(() -> cluster.killMaster(master)) // kill -9, then wait until its replica took over
                    .thenRequest(Long.MAX_VALUE)
                    .thenConsumeWhile(key -> true)
                    .expectComplete()
                    .verify(WAIT);
            Completeness.assertNothingLost(seen, data);
            assertThat(logs.warnings()).as("the shard was scanned again on its new master")
                    .anyMatch(line -> line.contains("changed during SCAN") || line.contains("Topology changed"));
        }
    }

    @Test
    void fetchKeysAcrossAKilledMasterIsExact() {
        try (LocalRedisCluster cluster = LocalRedisCluster.start();
                KeyScanner scanner = LettuceKeyScanner.createCluster(cluster.redisUris(), OPTIONS)) {
            List<String> data = load(cluster, 6_000);
            LocalRedisServer master = cluster.masters().get(0);
            // the kill happens while the listing runs: it is subscribed first, the kill waits for the failover
            StepVerifier.create(scanner.fetchKeys("key:*"))
                    .then(() -> cluster.killMaster(master))
                    .assertNext(keys -> assertThat(keys).isEqualTo(data))
                    .expectComplete()
                    .verify(WAIT);
        }
    }

    @Test
    void slotsMigratedMidScanIntoAnAlreadyScannedNodeAreNotLost() {
        // One node at a time, in slot order: the first master is done before the last one starts. Then slots
        // of the last master move to the first: their keys leave the node still to be scanned for one whose
        // scan is over. Only a new round over the node that received slots can find them.
        KeyScanOptions oneAtATime = OPTIONS.mutate().nodeConcurrency(1).build();
        try (LocalRedisCluster cluster = LocalRedisCluster.start();
                KeyScanner scanner = LettuceKeyScanner.createCluster(cluster.redisUris(), oneAtATime);
                LogCapture logs = LogCapture.keyscan()) {
            List<String> data = load(cluster, 9_000);
            LocalRedisServer first = cluster.nodeForSlot(0);
            LocalRedisServer last = cluster.nodeForSlot(LocalRedisCluster.SLOTS - 1);
            long onFirst = data.stream().filter(key -> cluster.nodeFor(key) == first).count();
            List<Integer> moving = new ArrayList<>();
            for (String key : data) {
                int slot = SlotHash.getSlot(key);
                if (cluster.nodeForSlot(slot) == last && !moving.contains(slot) && moving.size() < 40) {
                    moving.add(slot);
                }
            }
            Set<String> seen = new HashSet<>();
            StepVerifier.create(scanner.scan("key:*").doOnNext(seen::add), 0)
                    .thenRequest(onFirst + 10) // the first node is done, the second has begun
                    .expectNextCount(onFirst + 10)
                    .then(() -> moving.forEach(slot -> cluster.migrateSlot(slot, last, first)))
                    .thenRequest(Long.MAX_VALUE)
                    .thenConsumeWhile(key -> true)
                    .expectComplete()
                    .verify(WAIT);
            Completeness.assertNothingLost(seen, data);
            assertThat(logs.messages()).anyMatch(line -> line.startsWith("Topology changed while listing")
                    && line.contains(String.valueOf(first.port())));
        }
    }

    @Test
    void aShardDownForGoodFailsTheListingNamingTheNode() {
        KeyScanOptions shortBudget = OPTIONS.mutate().retryMaxAttempts(3).commandTimeout(Duration.ofMillis(500))
                .build();
        try (LocalRedisCluster cluster = LocalRedisCluster.start();
                KeyScanner scanner = LettuceKeyScanner.createCluster(cluster.redisUris(), shortBudget)) {
            load(cluster, 3_000);
            LocalRedisServer master = cluster.masters().get(2);
            List<LocalRedisServer> replicas = cluster.replicasOf(master);
            StepVerifier.create(scanner.scan("key:*"), 0)
                    .thenRequest(100)
                    .expectNextCount(100)
                    .then(() -> {
                        replicas.forEach(LocalRedisServer::kill);
                        master.kill();
                    })
                    .thenRequest(Long.MAX_VALUE)
                    .thenConsumeWhile(key -> true)
                    .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                            .hasMessageContaining("failed after"))
                    .verify(WAIT);
            StepVerifier.create(scanner.fetchKeys("key:*"))
                    .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                            .hasMessageContaining("127.0.0.1:" + master.port()))
                    .verify(WAIT);
        }
    }
}
