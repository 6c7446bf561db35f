package io.keyscan.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanner;
import io.keyscan.testkit.LocalRedisCluster;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.RedisClusterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The auto-configured scanner against a real 3-master, 3-replica cluster, configured only through
 * {@code spring.data.redis.cluster.nodes}: every master is listed, on both paths, with the same result.
 */
@ExtendWith(RedisClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterIT {

    private static final Duration WAIT = Duration.ofMinutes(1);

    private final LocalRedisCluster cluster;
    private final List<String> keys = new ArrayList<>();
    private ApplicationContextRunner runner;

    ClusterIT(LocalRedisCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeAll
    void load() {
        cluster.flushAll();
        for (int i = 0; i < 6000; i++) {
            keys.add(String.format("boot-cluster:%05d", i));
        }
        cluster.loadKeys(keys);
        cluster.loadKeys(List.of("other:1", "other:2"));
        keys.sort(null);
        // Only the masters as seeds would do too; Lettuce discovers the rest. All nodes, as an application lists them.
        String nodes = cluster.nodes().stream().map(node -> "127.0.0.1:" + node.port())
                .collect(Collectors.joining(","));
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, KeyScanAutoConfiguration.class))
                .withPropertyValues("spring.data.redis.cluster.nodes=" + nodes);
    }

    @Test
    void bothPathsListTheSameKeysFromEveryMaster() {
        List<LocalRedisServer> masters = cluster.masters();
        assertThat(masters).hasSize(3);

        List<String> viaKeys = new ArrayList<>();
        masters.forEach(LocalRedisServer::resetStats);
        runner.withPropertyValues("keyscan.use-scan=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(LettuceConnectionFactory.class).isClusterAware()).isTrue();
            viaKeys.addAll(context.getBean(KeyScanner.class).fetchKeys("boot-cluster:*").block(WAIT));
        });
        for (LocalRedisServer master : masters) {
            assertThat(master.commandStats("keys").calls()).as(master.uri()).isEqualTo(1);
            assertThat(master.commandStats("scan").calls()).as(master.uri()).isZero();
        }

        List<String> viaScan = new ArrayList<>();
        masters.forEach(LocalRedisServer::resetStats);
        runner.withPropertyValues("keyscan.use-scan=true").run(context -> {
            viaScan.addAll(context.getBean(KeyScanner.class).fetchKeys("boot-cluster:*").block(WAIT));
        });
        for (LocalRedisServer master : masters) {
            assertThat(master.commandStats("keys").calls()).as(master.uri()).isZero();
            assertThat(master.commandStats("scan").calls()).as(master.uri()).isPositive();
        }

        assertThat(viaKeys).isEqualTo(keys);
        assertThat(viaScan).isEqualTo(keys);
    }

    @Test
    void theStreamingScanDeliversEachKeyOnce() {
        runner.withPropertyValues("keyscan.use-scan=true").run(context -> {
            List<String> streamed = context.getBean(KeyScanner.class).scan("boot-cluster:*").collectList().block(WAIT);
            assertThat(streamed).hasSameSizeAs(keys);
            assertThat(streamed.stream().sorted().toList()).isEqualTo(keys);
        });
    }
}
