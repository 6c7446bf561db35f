package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * How {@code CLUSTER NODES} lines of each shape become shards and addresses. The integration tests list real
 * clusters of these shapes ({@code ClusterShapesIT}); these pin the parsing alone, lines as Redis 7.0 writes them.
 */
class LettuceClusterKeyspaceTest {

    private static final String A = "a".repeat(40);
    private static final String B = "b".repeat(40);
    private static final String C = "c".repeat(40);
    private static final Function<RedisClusterNode, RedisURI> NOWHERE = node -> null;

    private static String hostPort(LettuceClusterKeyspace.Shard shard) {
        return shard.master.getUri().getHost() + ":" + shard.master.getUri().getPort();
    }

    @Test
    void aOneNodeClusterWhoseLineGivesNoHostIsWhereTheClientReachedIt() {
        String nodes = A + " :30001@40001 myself,master - 0 0 0 connected 0-16383\n";
        RedisURI reached = RedisURI.create("localhost", 30001);

        List<LettuceClusterKeyspace.Shard> shards = LettuceClusterKeyspace.group(nodes,
                node -> node.getNodeId().equals(A) ? reached : null);

        assertThat(shards).hasSize(1);
        assertThat(hostPort(shards.get(0))).isEqualTo("localhost:30001");
        assertThat(shards.get(0).slots.cardinality()).isEqualTo(16384);
    }

    @Test
    void aMasterWithSlotsAndNoAddressAnywhereFailsNamingIt() {
        String nodes = A + " :30001@40001 myself,master - 0 0 0 connected 0-16383\n";

        assertThatThrownBy(() -> LettuceClusterKeyspace.group(nodes, NOWHERE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cluster node " + A + " serves 16384 slots but announces no address")
                .hasMessageContaining(":30001@40001 myself,master");
    }

    @Test
    void anAnnouncedHostnameIsPreferredToTheIp() {
        String nodes = A + " 127.0.0.1:30001@40001,localhost myself,master - 0 0 1 connected 0-8191\n"
                + B + " 127.0.0.1:30002@40002,localhost master - 0 1700000000000 2 connected 8192-16383\n"
                + C + " 127.0.0.1:30003@40003,localhost slave " + A + " 0 1700000000000 1 connected\n";

        List<LettuceClusterKeyspace.Shard> shards = LettuceClusterKeyspace.group(nodes, NOWHERE);

        assertThat(shards).extracting(LettuceClusterKeyspaceTest::hostPort)
                .containsExactly("localhost:30001", "localhost:30002");
        assertThat(shards.get(0).replicas).extracting(node -> node.getUri().getHost() + ":" + node.getUri().getPort())
                .containsExactly("localhost:30003");
    }

    @Test
    void aOneNodeClusterAnnouncingAHostnameIsReachedByIt() {
        // as Redis 7.0.15 writes it, with --cluster-announce-hostname localhost, whatever the preferred endpoint type
        String nodes = A + " :23456@33456,localhost myself,master - 0 0 0 connected 0-16383\n";

        List<LettuceClusterKeyspace.Shard> shards = LettuceClusterKeyspace.group(nodes, NOWHERE);

        assertThat(shards).extracting(LettuceClusterKeyspaceTest::hostPort).containsExactly("localhost:23456");
    }

    @Test
    void aReplicaWithoutAnAddressIsNotReadFromAndOthersAreAskedOnlyForNodesWithoutOne() {
        String nodes = A + " 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 0-16383\n"
                + C + " :0@0 slave,noaddr " + A + " 0 1700000000000 1 disconnected\n";
        List<String> asked = new ArrayList<>();

        List<LettuceClusterKeyspace.Shard> shards = LettuceClusterKeyspace.group(nodes, node -> {
            asked.add(node.getNodeId());
            return null;
        });

        assertThat(asked).containsExactly(C);
        assertThat(hostPort(shards.get(0))).isEqualTo("127.0.0.1:30001");
        assertThat(shards.get(0).replicas).isEmpty();
    }
}
