package io.keyscan.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RedisClusterExtension.class)
class LocalRedisClusterIT {

    @Test
    void startsHealthyWithThreeMastersThreeReplicasAndEverySlot(LocalRedisCluster cluster) {
        assertThat(cluster.nodes()).hasSize(6);
        assertThat(cluster.uris()).doesNotHaveDuplicates().allMatch(uri -> uri.startsWith("redis://127.0.0.1:"));
        assertThat(cluster.redisUris()).hasSize(6);
        List<LocalRedisServer> masters = cluster.masters();
        assertThat(masters).hasSize(3);
        assertThat(cluster.replicas()).hasSize(3);
        for (LocalRedisServer master : masters) {
            assertThat(cluster.replicasOf(master)).hasSize(1);
        }
        for (LocalRedisServer node : cluster.nodes()) {
            assertThat(node.admin().clusterInfo())
                    .contains("cluster_state:ok", "cluster_slots_assigned:16384", "cluster_slots_ok:16384",
                            "cluster_known_nodes:6", "cluster_size:3");
        }
        Set<LocalRedisServer> owners = new HashSet<>();
        for (int slot : new int[] {0, 5460, 5461, 10922, 10923, 16383}) {
            owners.add(cluster.nodeForSlot(slot));
        }
        assertThat(owners).containsExactlyInAnyOrderElementsOf(masters);
        assertThatThrownBy(() -> cluster.nodeForSlot(16384)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("16384");
    }

    @Test
    void loadedKeysLandOnTheMastersServingTheirSlotsAndOnTheirReplicas(LocalRedisCluster cluster) {
        cluster.flushAll();
        List<String> spread = keys("spread:", 300);
        List<String> oneSlot = keys("{tagged}:", 2500); // more than one MSET of 1000 keys for the same slot
        List<String> all = new ArrayList<>(spread);
        all.addAll(oneSlot);

        cluster.loadKeys(all);

        Map<String, LocalRedisServer> owners = new HashMap<>();
        for (String key : spread) {
            owners.put(key, cluster.nodeFor(key));
        }
        LocalRedisServer taggedOwner = cluster.nodeFor("{tagged}");
        for (LocalRedisServer master : cluster.masters()) {
            Set<String> expected = spread.stream().filter(key -> owners.get(key) == master)
                    .collect(Collectors.toSet());
            if (taggedOwner == master) {
                expected.addAll(oneSlot);
            }
            assertThat(new HashSet<>(master.admin().keys("*"))).isEqualTo(expected);
            for (LocalRedisServer replica : cluster.replicasOf(master)) {
                // loadKeys WAITs for the replicas, so they have everything already
                assertThat(new HashSet<>(replica.admin().keys("*"))).isEqualTo(expected);
            }
        }
        assertThat(readThroughClusterClient(cluster, all)).isEqualTo(all.size());

        cluster.flushAll();
        for (LocalRedisServer node : cluster.nodes()) {
            assertThat(node.admin().dbsize()).isZero();
        }
    }

    @Test
    void migrationStepByStepAsksForMovedKeysAndFinishesWithTheTargetServingTheSlot(LocalRedisCluster cluster) {
        cluster.flushAll();
        List<String> keys = keys("{moving}:", 100);
        int slot = SlotHash.getSlot("{moving}");
        cluster.loadKeys(keys);
        LocalRedisServer from = cluster.nodeForSlot(slot);
        LocalRedisServer to = cluster.masters().stream().filter(master -> master != from).findFirst().orElseThrow();

        LocalRedisCluster.SlotMigration migration = cluster.beginSlotMigration(slot, from, to);
        assertThat(migration.moveKeys(40)).isEqualTo(40);

        assertThat(migration.keysLeft()).isEqualTo(60);
        assertThat(to.admin().clusterCountKeysInSlot(slot)).isEqualTo(40);
        assertThat(cluster.nodeForSlot(slot)).isSameAs(from);
        long asked = keys.stream().filter(key -> {
            try {
                from.admin().get(key);
                return false;
            } catch (io.lettuce.core.RedisCommandExecutionException e) {
                assertThat(e).hasMessageStartingWith("ASK " + slot + " 127.0.0.1:" + to.port());
                return true;
            }
        }).count();
        assertThat(asked).isEqualTo(40);
        assertThat(readThroughClusterClient(cluster, keys)).isEqualTo(100);

        migration.finish();

        assertThat(cluster.nodeForSlot(slot)).isSameAs(to);
        assertThat(to.admin().clusterCountKeysInSlot(slot)).isEqualTo(100);
        assertThat(from.admin().clusterCountKeysInSlot(slot)).isZero();
        assertThatThrownBy(() -> migration.moveKeys(1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("finished");

        cluster.migrateSlot(slot, to, from); // in one call, and the shared cluster's layout as it was

        assertThat(cluster.nodeForSlot(slot)).isSameAs(from);
        assertThat(from.admin().clusterCountKeysInSlot(slot)).isEqualTo(100);
        assertThat(readThroughClusterClient(cluster, keys)).isEqualTo(100);
        assertThatThrownBy(() -> cluster.migrateSlot(slot, to, from)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slot " + slot + " is served by node");
    }

    @Test
    void failoverPromotesTheReplicaAndKeepsTheData(LocalRedisCluster cluster) {
        cluster.flushAll();
        List<String> keys = keys("failover:", 500);
        cluster.loadKeys(keys);
        LocalRedisServer master = cluster.masters().get(0);
        LocalRedisServer replica = cluster.replicasOf(master).get(0);

        LocalRedisServer former = cluster.failover(replica);

        assertThat(former).isSameAs(master);
        assertThat(cluster.masters()).contains(replica).doesNotContain(master);
        assertThat(cluster.replicasOf(replica)).containsExactly(master);
        assertThat(replica.infoField("replication", "role")).isEqualTo("master");
        assertThat(master.infoField("replication", "master_link_status")).isEqualTo("up");
        assertThat(readThroughClusterClient(cluster, keys)).isEqualTo(keys.size());
        assertThatThrownBy(() -> cluster.failover(replica)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a replica");
        assertThatThrownBy(() -> cluster.killMaster(master)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a master");
    }

    @Test
    void killedMasterIsReplacedByItsReplicaWithTheDataAndRejoinsAsAReplica() {
        try (LocalRedisCluster cluster = LocalRedisCluster.start()) {
            List<String> keys = keys("kill:", 1000);
            cluster.loadKeys(keys);
            LocalRedisServer victim = cluster.nodeFor("kill:0");
            LocalRedisServer replica = cluster.replicasOf(victim).get(0);

            LocalRedisServer promoted = cluster.killMaster(victim);

            assertThat(promoted).isSameAs(replica);
            assertThat(victim.isRunning()).isFalse();
            assertThat(cluster.clusterNodes()).contains("127.0.0.1:" + victim.port() + "), id ")
                    .contains(": not running").contains("master,fail");
            assertThat(cluster.masters()).hasSize(3).contains(promoted);
            assertThat(cluster.nodeFor("kill:0")).isSameAs(promoted);
            assertThat(readThroughClusterClient(cluster, keys)).isEqualTo(keys.size());
            assertThatThrownBy(() -> cluster.killMaster(promoted)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has no running replica");

            victim.startAgain(true);
            cluster.awaitHealthy();

            assertThat(cluster.replicasOf(promoted)).containsExactly(victim);
            assertThat(victim.admin().dbsize()).isEqualTo(promoted.admin().dbsize());
        }
    }

    private static List<String> keys(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).collect(Collectors.toList());
    }

    /**
     * How many of {@code keys} a Lettuce cluster client finds, one GET each: it follows MOVED and ASK, where an MGET
     * of a migrating slot would get TRYAGAIN.
     */
    private static long readThroughClusterClient(LocalRedisCluster cluster, List<String> keys) {
        RedisClusterClient client = RedisClusterClient.create(cluster.redisUris());
        try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
            connection.setTimeout(Duration.ofSeconds(30));
            return keys.stream().filter(key -> connection.sync().get(key) != null).count();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
