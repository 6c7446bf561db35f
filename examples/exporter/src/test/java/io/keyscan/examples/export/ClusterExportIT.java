package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.testkit.LocalRedisCluster;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.RedisClusterExtension;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export from a real 3-master cluster into a single server and back: keys of every slot are listed on every master
 * and read on the node serving them; imports route each key to its node.
 */
@ExtendWith(RedisClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterExportIT {

    private static final long TTL_TOLERANCE = Duration.ofMinutes(2).toMillis();

    private final LocalRedisCluster cluster;
    private LocalRedisServer single;
    private RedisClusterClient clusterClient;
    private RedisClient singleClient;
    private RedisAdvancedClusterCommands<byte[], byte[]> clusterRedis;
    private RedisCommands<byte[], byte[]> singleRedis;
    @TempDir
    Path dir;

    ClusterExportIT(LocalRedisCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeAll
    void start() {
        single = LocalRedisServer.start();
        clusterClient = RedisClusterClient.create(cluster.redisUris());
        clusterRedis = clusterClient.connect(ByteArrayCodec.INSTANCE).sync();
        singleClient = RedisClient.create(single.redisUri());
        singleRedis = singleClient.connect(ByteArrayCodec.INSTANCE).sync();
    }

    @AfterAll
    void stop() {
        clusterClient.shutdown();
        singleClient.shutdown();
        single.close();
    }

    private String clusterUrl() {
        return String.join(",", cluster.uris());
    }

    @Test
    void clusterToSingleServerWithValues() throws Exception {
        cluster.flushAll();
        single.flushAll();
        Dataset.load(clusterRedis);
        Map<Bytes, KeyspaceSnapshot.Entry> source = KeyspaceSnapshot.of(clusterRedis);
        Path file = dir.resolve("cluster.ndjson");

        ToolRun export = ToolRun.of("export", "--cluster-url", clusterUrl(), "--values", "--output", file.toString(),
                "--progress", "none");
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(export.err()).contains("Exported " + String.format("%,d", source.size()) + " keys");
        ToolRun imported = ToolRun.of("import", "--redis-url", single.uri(), "--input", file.toString(), "--progress",
                "none");
        assertThat(imported.exitCode()).as(imported.err()).isZero();

        Dataset.assertSameKeyspace(source, KeyspaceSnapshot.of(singleRedis), TTL_TOLERANCE);
    }

    @Test
    void singleServerToClusterWithDump() throws Exception {
        single.flushAll();
        cluster.flushAll();
        Dataset.load(singleRedis);
        Map<Bytes, KeyspaceSnapshot.Entry> source = KeyspaceSnapshot.of(singleRedis);
        Path file = dir.resolve("single.ndjson");

        ToolRun export = ToolRun.of("export", "--redis-url", single.uri(), "--dump", "--output", file.toString(),
                "--progress", "none");
        assertThat(export.exitCode()).as(export.err()).isZero();
        ToolRun imported = ToolRun.of("import", "--cluster-url", clusterUrl(), "--input", file.toString(),
                "--progress", "none");
        assertThat(imported.exitCode()).as(imported.err()).isZero();

        Dataset.assertSameKeyspace(source, KeyspaceSnapshot.of(clusterRedis), TTL_TOLERANCE);
        // every master holds a share: the keys went to the nodes serving their slots
        for (LocalRedisServer master : cluster.masters()) {
            assertThat(master.admin().dbsize()).as(master.uri()).isPositive();
        }
    }

    @Test
    void clusterToClusterWithValues() throws Exception {
        cluster.flushAll();
        Dataset.load(clusterRedis);
        Map<Bytes, KeyspaceSnapshot.Entry> source = KeyspaceSnapshot.of(clusterRedis);
        Path file = dir.resolve("roundtrip.ndjson");
        ToolRun export = ToolRun.of("export", "--cluster-url", clusterUrl(), "--values", "--output", file.toString(),
                "--progress", "none");
        assertThat(export.exitCode()).as(export.err()).isZero();
        cluster.flushAll();

        ToolRun imported = ToolRun.of("import", "--cluster-url", clusterUrl(), "--input", file.toString(),
                "--progress", "none");
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        Dataset.assertSameKeyspace(source, KeyspaceSnapshot.of(clusterRedis), TTL_TOLERANCE);
    }
}
