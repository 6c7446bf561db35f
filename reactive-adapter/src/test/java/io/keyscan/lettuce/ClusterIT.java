package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.testkit.LocalRedisCluster;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.RedisClusterExtension;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.protocol.ConnectionIntent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

/** Listing a real 3-master, 3-replica cluster: every master or one replica per shard, hash tags, values. */
@ExtendWith(RedisClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterIT {

    private static final Duration WAIT = Duration.ofMinutes(1);

    private final LocalRedisCluster cluster;
    private final List<String> data = new ArrayList<>();
    private final List<String> tagged = new ArrayList<>();

    ClusterIT(LocalRedisCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeAll
    void load() {
        cluster.flushAll();
        for (int i = 0; i < 12_000; i++) {
            data.add(String.format("key:%05d", i));
        }
        for (int i = 0; i < 300; i++) {
            tagged.add(String.format("{user1}:%03d", i));
        }
        cluster.loadKeys(data);
        cluster.loadKeys(tagged);
    }

    /** A scanner over a cluster connection the test holds too, to reach the scanner's node connections. */
    final class Fixture implements AutoCloseable {
        final RedisClusterClient client = RedisClusterClient.create(cluster.redisUris());
        final StatefulRedisClusterConnection<String, String> connection = client.connect();
        final KeyScanner scanner;

        Fixture(KeyScanOptions options) {
            scanner = LettuceKeyScanner.create(connection, options);
        }

        /**
         * Waits until every master has answered what the scanner sent it: a PING on the same node connection (Lettuce
         * shares them per node) comes back after every SCAN written before it.
         */
        void settle() {
            for (LocalRedisServer master : cluster.masters()) {
                connection.getConnection("127.0.0.1", master.port(), ConnectionIntent.WRITE).sync().ping();
            }
        }

        long scanCalls(List<LocalRedisServer> nodes) {
            return calls(nodes, "scan");
        }

        @Override
        public void close() {
            scanner.close();
            connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static List<String> sorted(List<String> keys) {
        List<String> copy = new ArrayList<>(keys);
        copy.sort(null);
        return copy;
    }

    private void resetStats() {
        for (LocalRedisServer node : cluster.nodes()) {
            node.resetStats();
        }
    }

    @Test
    void everyMasterIsScannedAndKeysFanOutGivesTheSameList() {
        List<String> all = new ArrayList<>(data);
        all.addAll(tagged);
        List<String> expected = sorted(all);
        for (KeyScanOptions options : List.of(KeyScanOptions.defaults(), KeyScanOptions.builder().useScan(true).build(),
                KeyScanOptions.builder().useScan(true).scanCountAutoTune(false).scanCount(50).build())) {
            try (Fixture fixture = new Fixture(options)) {
                StepVerifier.create(fixture.scanner.fetchKeys("*")).expectNext(expected).expectComplete().verify(WAIT);
                StepVerifier.create(fixture.scanner.scan("*").collectList().map(ClusterIT::sorted))
                        .expectNext(expected).expectComplete().verify(WAIT);
            }
        }
        try (KeyScanner owned = LettuceKeyScanner.createCluster(cluster.redisUris(),
                KeyScanOptions.builder().useScan(true).build())) {
            StepVerifier.create(owned.fetchKeys("key:*")).expectNext(sorted(data)).expectComplete().verify(WAIT);
        }
    }

    @Test
    void valuesAreReadWithOneMgetPerSlotOnBothPaths() {
        List<io.keyscan.KeyValue> expected = new ArrayList<>();
        for (String key : sorted(data)) {
            expected.add(io.keyscan.KeyValue.of(key, "1"));
        }
        for (KeyScanOptions options : List.of(KeyScanOptions.defaults(), KeyScanOptions.builder().useScan(true).build())) {
            try (Fixture fixture = new Fixture(options)) {
                // 12,000 keys over all 16,384 slots: an MGET across slots would fail with CROSSSLOT
                StepVerifier.create(fixture.scanner.fetchValues("key:*")).expectNext(expected).expectComplete()
                        .verify(WAIT);
                StepVerifier.create(fixture.scanner.fetchKeys("key:*", io.keyscan.KeyType.HASH)).expectNext(List.of())
                        .expectComplete().verify(WAIT);
                StepVerifier.create(fixture.scanner.fetchKeys("{user1}:*", io.keyscan.KeyType.STRING))
                        .expectNext(sorted(tagged)).expectComplete().verify(WAIT);
            }
        }
    }

    @Test
    void withReadFromReplicasOnlyReplicasAreScannedAndRead() {
        resetStats();
        try (Fixture fixture = new Fixture(KeyScanOptions.builder().useScan(true).readFromReplicas(true).build())) {
            StepVerifier.create(fixture.scanner.fetchKeys("key:*")).expectNext(sorted(data)).expectComplete()
                    .verify(WAIT);
            assertThat(fixture.scanCalls(cluster.masters())).as("SCAN calls on masters").isZero();
            assertThat(fixture.scanCalls(cluster.replicas())).as("SCAN calls on replicas").isPositive();

            StepVerifier.create(fixture.scanner.fetchValues("key:*").map(List::size)).expectNext(data.size())
                    .expectComplete().verify(WAIT);
            assertThat(calls(cluster.masters(), "mget")).as("MGET calls on masters").isZero();
            assertThat(calls(cluster.replicas(), "mget")).as("MGET calls on replicas").isPositive();
        }
    }

    private static long calls(List<LocalRedisServer> nodes, String command) {
        long calls = 0;
        for (LocalRedisServer node : nodes) {
            calls += node.commandStats(command).calls();
        }
        return calls;
    }

    @Test
    void aPatternFixingAHashTagIsScannedOnItsNodeOnly() {
        resetStats();
        LocalRedisServer owner = cluster.nodeFor("{user1}");
        try (Fixture fixture = new Fixture(KeyScanOptions.builder().useScan(true).build())) {
            StepVerifier.create(fixture.scanner.fetchKeys("{user1}:*")).expectNext(sorted(tagged)).expectComplete()
                    .verify(WAIT);
            fixture.settle();
            for (LocalRedisServer node : cluster.nodes()) {
                assertThat(node.commandStats("scan").calls()).as("SCAN calls on %s", node.port())
                        .isEqualTo(node == owner ? node.commandStats("scan").calls() : 0);
            }
            assertThat(owner.commandStats("scan").calls()).isPositive();
        }
    }

    @Test
    void demandAcrossNodesReadsAtMostAPageAheadOnEachNode() {
        resetStats();
        // COUNT 100 over about 4,000 keys a master: pages of about 100
        KeyScanOptions options = KeyScanOptions.builder().useScan(true).scanCountAutoTune(false).scanCount(100).build();
        int masters = cluster.masters().size();
        try (Fixture fixture = new Fixture(options)) {
            StepVerifier.create(fixture.scanner.scan("key:*"), 0)
                    .expectSubscription()
                    .then(fixture::settle)
                    .then(() -> assertThat(fixture.scanCalls(cluster.masters()))
                            .as("with no demand, at most a page per node").isLessThanOrEqualTo(masters))
                    .thenRequest(500)
                    .expectNextCount(500)
                    .then(fixture::settle)
                    // about 5 pages serve 500 keys; each node may hold one more page
                    .then(() -> assertThat(fixture.scanCalls(cluster.masters())).isBetween(5L, 5L + 2L * masters))
                    .thenCancel()
                    .verify(WAIT);
        }
    }

    @Test
    void noScanOnAnyNodeAfterTakeOrCancel() {
        resetStats();
        KeyScanOptions options = KeyScanOptions.builder().useScan(true).scanCountAutoTune(false).scanCount(100).build();
        try (Fixture fixture = new Fixture(options)) {
            StepVerifier.create(fixture.scanner.scan("key:*").take(300)).expectNextCount(300).expectComplete()
                    .verify(WAIT);
            fixture.settle();
            long afterTake = fixture.scanCalls(cluster.masters());
            fixture.settle();
            assertThat(fixture.scanCalls(cluster.masters())).isEqualTo(afterTake);
            assertThat(afterTake).as("a full listing would be about 120 calls").isLessThan(20);
        }
    }
}
