package io.keyscan.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RedisSentinelExtension.class)
class LocalRedisSentinelIT {

    @Test
    void startsHealthyAndLettuceFindsTheMasterThroughTheSentinels(LocalRedisSentinel sentinel) {
        assertThat(sentinel.dataNodes()).hasSize(2);
        assertThat(sentinel.sentinels()).hasSize(3);
        LocalRedisServer master = sentinel.master();
        LocalRedisServer replica = sentinel.replica();
        assertThat(replica).isNotSameAs(master);
        assertThat(master.infoField("replication", "role")).isEqualTo("master");
        assertThat(replica.infoField("replication", "role")).isEqualTo("slave");
        assertThat(sentinel.uri()).startsWith("redis-sentinel://127.0.0.1:").endsWith("/0#mymaster");
        assertThat(RedisURI.create(sentinel.uri()).getSentinels()).hasSize(3);

        RedisClient client = RedisClient.create(sentinel.redisUri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.sync().set("sentinel-it", "1");
            assertThat(master.admin().get("sentinel-it")).isEqualTo("1");
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void failoverSwapsTheRolesAndEverySentinelNamesTheNewMaster(LocalRedisSentinel sentinel) {
        LocalRedisServer oldMaster = sentinel.master();
        LocalRedisServer replica = sentinel.replica();
        oldMaster.admin().set("before-failover", "1");

        LocalRedisServer promoted = sentinel.failover();

        assertThat(promoted).isSameAs(replica);
        assertThat(sentinel.master()).isSameAs(replica);
        assertThat(sentinel.replica()).isSameAs(oldMaster);
        assertThat(oldMaster.infoField("replication", "role")).isEqualTo("slave");
        assertThat(oldMaster.infoField("replication", "master_port")).isEqualTo(Integer.toString(replica.port()));
        assertThat(promoted.admin().get("before-failover")).isEqualTo("1");
    }

    @Test
    void killedMasterIsReplacedAndComesBackAsAReplica(LocalRedisSentinel sentinel) {
        LocalRedisServer oldMaster = sentinel.master();
        LocalRedisServer replica = sentinel.replica();
        oldMaster.admin().set("before-kill", "1");
        long start = System.nanoTime();

        LocalRedisServer promoted = sentinel.killMaster();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThat(promoted).isSameAs(replica);
        assertThat(oldMaster.isRunning()).isFalse();
        assertThat(promoted.admin().get("before-kill")).isEqualTo("1");

        oldMaster.startAgain(true);
        sentinel.awaitHealthy();
        assertThat(sentinel.replica()).isSameAs(oldMaster);
        assertThat(oldMaster.infoField("replication", "master_port")).isEqualTo(Integer.toString(promoted.port()));
    }

    @Test
    void passwordsOnSentinelsAndDataNodes() {
        try (LocalRedisSentinel sentinel = LocalRedisSentinel.builder().dataPassword("data-pw-1")
                .sentinelPassword("sentinel-pw-1").start()) {
            RedisURI uri = sentinel.redisUri();
            assertThat(uri.getSentinels()).allSatisfy(s -> assertThat(s.getCredentialsProvider()).isNotNull());
            RedisClient client = RedisClient.create(uri);
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                assertThat(connection.sync().ping()).isEqualTo("PONG");
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
            InetSocketAddress master = (InetSocketAddress) RedisClient.create().connectSentinel(
                    uri.getSentinels().get(0)).sync().getMasterAddrByName("mymaster");
            assertThat(master.getPort()).isEqualTo(sentinel.master().port());
        }
    }
}
