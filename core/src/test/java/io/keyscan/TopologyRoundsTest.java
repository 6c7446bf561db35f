package io.keyscan;

import io.keyscan.spi.FailureKind;
import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.spi.RedisKeyspace;
import io.keyscan.spi.ScanNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** Listings over a scripted cluster whose topology changes between the start and the end of a round. */
class TopologyRoundsTest {

    private static final KeyScanOptions SCAN = KeyScanOptions.builder().useScan(true).build();

    /** A scripted node with an id and slots. */
    static final class ShardNode extends ScriptedNode {
        private final String id;
        private final BitSet slots;
        private java.util.Set<String> shardNodeIds;

        ShardNode(String id, int fromSlot, int toSlot, List<String> keys) {
            super(id + ":6379");
            this.id = id;
            this.slots = new BitSet();
            this.slots.set(fromSlot, toSlot + 1);
            pages(List.of(keys));
            this.shardNodeIds = java.util.Set.of(id);
        }

        /** The node ids of the shard, as CLUSTER NODES shows its master and replicas. */
        ShardNode shard(String... ids) {
            this.shardNodeIds = java.util.Set.of(ids);
            return this;
        }

        @Override
        public java.util.Set<String> shardNodeIds() {
            return shardNodeIds;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public BitSet slots() {
            return (BitSet) slots.clone();
        }
    }

    /** Answers {@code nodes()} with the next topology of the list, then the last one again and again. */
    static final class ChangingKeyspace implements RedisKeyspace {
        final List<List<ScanNode>> topologies;
        final AtomicInteger asked = new AtomicInteger();
        final List<byte[]> nodeForKeyAsked = new CopyOnWriteArrayList<>();

        @SafeVarargs
        ChangingKeyspace(List<ScanNode>... topologies) {
            this.topologies = List.of(topologies);
        }

        @Override
        public Mono<List<ScanNode>> nodes() {
            return Mono.fromCallable(() -> topologies.get(Math.min(asked.getAndIncrement(), topologies.size() - 1)));
        }

        @Override
        public Mono<ScanNode> nodeForKey(byte[] key) {
            return nodes().map(nodes -> {
                nodeForKeyAsked.add(key);
                return nodes.get(0);
            });
        }

        @Override
        public Mono<List<byte @org.jspecify.annotations.Nullable []>> values(List<byte[]> keys) {
            return Mono.error(new UnsupportedOperationException("MGET"));
        }

        @Override
        public FailureKind classify(Throwable error) {
            return error instanceof IOException ? FailureKind.TRANSIENT : FailureKind.PERMANENT;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aStableTopologyIsListedOnceAndAskedTwice() {
        ShardNode a = new ShardNode("a", 0, 8191, List.of("k1", "k2"));
        ShardNode b = new ShardNode("b", 8192, 16383, List.of("k3"));
        ChangingKeyspace keyspace = new ChangingKeyspace(List.of(a, b));

        StepVerifier.create(new DefaultKeyScanner(keyspace, SCAN, () -> 0.5).fetchKeys("k*"))
                .expectNext(List.of("k1", "k2", "k3"))
                .verifyComplete();
        assertThat(a.scans).hasSize(1);
        assertThat(b.scans).hasSize(1);
        assertThat(keyspace.asked).hasValue(2);
    }

    @Test
    void aNodeThatReceivedSlotsIsListedAgain() {
        // k2 moves from a to b mid-listing: b was listed before it arrived, a after it left
        ShardNode a1 = new ShardNode("a", 0, 8191, List.of("k1"));
        ShardNode b1 = new ShardNode("b", 8192, 16383, List.of("k3"));
        ShardNode a2 = new ShardNode("a", 0, 4095, List.of("k1"));
        ShardNode b2 = new ShardNode("b", 4096, 16383, List.of("k2", "k3"));
        ChangingKeyspace keyspace = new ChangingKeyspace(List.of(a1, b1), List.of(a2, b2));

        StepVerifier.create(new DefaultKeyScanner(keyspace, SCAN, () -> 0.5).fetchKeys("k*"))
                .expectNext(List.of("k1", "k2", "k3"))
                .verifyComplete();
        assertThat(a2.scans).as("a lost slots: not listed again").isEmpty();
        assertThat(b2.scans).as("b gained slots: listed again").hasSize(1);
    }

    @Test
    void aNewNodeIsListed() {
        // a's master failed over to its replica c, which now serves a's slots
        ShardNode a = new ShardNode("a", 0, 8191, List.of("k1")).shard("a", "c");
        ShardNode b = new ShardNode("b", 8192, 16383, List.of("k3"));
        ShardNode c = new ShardNode("c", 0, 8191, List.of("k1", "k2"));
        ChangingKeyspace keyspace = new ChangingKeyspace(List.of(a, b), List.of(c, b));

        StepVerifier.create(new DefaultKeyScanner(keyspace, SCAN, () -> 0.5).scan("k*").collectList())
                .assertNext(keys -> assertThat(keys).containsExactlyInAnyOrder("k1", "k2", "k3"))
                .verifyComplete();
        assertThat(c.scans).hasSize(1);
    }

    @Test
    void aReplicaPromotedByAManualFailoverWhileItsFormerMasterWasListedIsNotListedAgain() {
        // CLUSTER FAILOVER on c: a, walked to the end, is now c's replica and kept every key of the shard
        ShardNode a = new ShardNode("a", 0, 8191, List.of("k1")).shard("a", "c");
        ShardNode b = new ShardNode("b", 8192, 16383, List.of("k3"));
        ShardNode c = new ShardNode("c", 0, 8191, List.of("k1")).shard("c", "a");
        ChangingKeyspace keyspace = new ChangingKeyspace(List.of(a, b), List.of(c, b));

        StepVerifier.create(new DefaultKeyScanner(keyspace, SCAN, () -> 0.5).fetchKeys("k*"))
                .expectNext(List.of("k1", "k3"))
                .verifyComplete();
        assertThat(c.scans).as("a's walk covered the shard").isEmpty();
    }

    @Test
    void aNewMasterOfTheShardThatServesMoreSlotsIsListedAgain() {
        ShardNode a = new ShardNode("a", 0, 8191, List.of("k1")).shard("a", "c");
        ShardNode b = new ShardNode("b", 8192, 16383, List.of("k3"));
        ShardNode c = new ShardNode("c", 0, 9000, List.of("k1", "k2")).shard("c", "a");
        ShardNode b2 = new ShardNode("b", 9001, 16383, List.of("k3"));
        ChangingKeyspace keyspace = new ChangingKeyspace(List.of(a, b), List.of(c, b2));

        StepVerifier.create(new DefaultKeyScanner(keyspace, SCAN, () -> 0.5).fetchKeys("k*"))
                .expectNext(List.of("k1", "k2", "k3"))
                .verifyComplete();
        assertThat(c.scans).hasSize(1);
    }

    @Test
    void theKeysPathIsListedInRoundsToo() {
        ShardNode a1 = new ShardNode("a", 0, 8191, List.of());
        a1.keysReply(Mono.just(ScriptedNode.bytes(List.of("k1"))));
        ShardNode b1 = new ShardNode("b", 8192, 16383, List.of());
        b1.keysReply(Mono.just(ScriptedNode.bytes(List.of("k3"))));
        ShardNode b2 = new ShardNode("b", 0, 16383, List.of());
        b2.keysReply(Mono.just(ScriptedNode.bytes(List.of("k1", "k2", "k3"))));
        ChangingKeyspace keyspace = new ChangingKeyspace(List.of(a1, b1), List.of(b2));

        StepVerifier.create(new DefaultKeyScanner(keyspace, KeyScanOptions.defaults(), () -> 0.5).fetchKeys("k*"))
                .expectNext(List.of("k1", "k2", "k3"))
                .verifyComplete();
    }

    @Test
    void aTopologyThatNeverSettlesEndsTheListingWithAnError() {
        List<List<ScanNode>> topologies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            topologies.add(List.of(new ShardNode("node-" + i, 0, 16383, List.of("k"))));
        }
        @SuppressWarnings("unchecked")
        ChangingKeyspace keyspace = new ChangingKeyspace(topologies.toArray(new List[0]));

        StepVerifier.create(new DefaultKeyScanner(keyspace, SCAN, () -> 0.5).fetchKeys("k*"))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                        .hasMessageContaining("topology changed during each of " + TopologyRounds.MAX_ROUNDS))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aPatternThatFixesAHashTagIsSentToTheNodeOfThatTagOnly() {
        ShardNode a = new ShardNode("a", 0, 8191, List.of("{user1}:a", "{user1}:b"));
        ShardNode b = new ShardNode("b", 8192, 16383, List.of("other"));
        ChangingKeyspace keyspace = new ChangingKeyspace(List.of(a, b));

        StepVerifier.create(new DefaultKeyScanner(keyspace, SCAN, () -> 0.5).fetchKeys("{user1}:*"))
                .expectNext(List.of("{user1}:a", "{user1}:b"))
                .verifyComplete();
        assertThat(b.scans).isEmpty();
        assertThat(keyspace.nodeForKeyAsked).extracting(String::new).containsOnly("user1");
    }

    @Test
    void hashTagRule() {
        assertThat(HashTag.of("{user1}:*")).isEqualTo("user1");
        assertThat(HashTag.of("app:{user1}:*")).isEqualTo("user1");
        assertThat(HashTag.of("{user1}*")).isEqualTo("user1");
        assertThat(HashTag.of("\\{x}:*")).isEqualTo("x");
        assertThat(HashTag.of("*{user1}*")).isNull();
        assertThat(HashTag.of("{user*}:*")).isNull();
        assertThat(HashTag.of("{}:*")).isNull();
        assertThat(HashTag.of("{user1:*")).isNull();
        assertThat(HashTag.of("user1:*")).isNull();
        assertThat(HashTag.of("{a}{b}:*")).isEqualTo("a");
    }
}
