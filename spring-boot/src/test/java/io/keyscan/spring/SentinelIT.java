package io.keyscan.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanner;
import io.keyscan.testkit.LocalRedisSentinel;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.LogCapture;
import io.keyscan.testkit.RedisSentinelExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.test.StepVerifier;

/**
 * The auto-configured scanner through a real Sentinel deployment, configured only with
 * {@code spring.data.redis.sentinel.master} and {@code .nodes} (and passwords): listings go to the master (or a
 * replica with {@code keyscan.read-from-replicas}), and a failover during a listing is followed.
 */
@ExtendWith(RedisSentinelExtension.class)
class SentinelIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String PREFIX = "boot-sentinel:";

    private final LocalRedisSentinel sentinel;

    SentinelIT(LocalRedisSentinel sentinel) {
        this.sentinel = sentinel;
    }

    private static ApplicationContextRunner runner(LocalRedisSentinel deployment) {
        List<String> nodes = new ArrayList<>();
        deployment.sentinels().forEach(node -> nodes.add("127.0.0.1:" + node.port()));
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                        KeyScanAutoConfiguration.class))
                .withPropertyValues("spring.data.redis.sentinel.master=" + deployment.masterName(),
                        "spring.data.redis.sentinel.nodes=" + String.join(",", nodes),
                        "keyscan.scan-count-auto-tune=false",
                        "keyscan.scan-count=100",
                        "keyscan.command-timeout=2s",
                        "keyscan.retry-max-attempts=20",
                        "keyscan.retry-max-backoff=1s");
    }

    private List<String> load(LocalRedisServer master, int count) {
        master.flushAll();
        List<String> keys = new ArrayList<>();
        master.mset(0, count, i -> {
            String key = PREFIX + String.format("%05d", i);
            keys.add(key);
            return key;
        }, i -> "v");
        master.admin().set("other:1", "v");
        assertThat(master.admin().waitForReplication(1, 5000)).isEqualTo(1);
        return keys;
    }

    @Test
    void bothPathsListOnTheMasterAndReadFromReplicasOnTheReplica() {
        List<String> keys = load(sentinel.master(), 3000);
        LocalRedisServer master = sentinel.master();
        LocalRedisServer replica = sentinel.replica();
        master.resetStats();
        replica.resetStats();
        for (String useScan : List.of("true", "false")) {
            runner(sentinel).withPropertyValues("keyscan.use-scan=" + useScan).run(context -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBean(KeyScanner.class).fetchKeys(PREFIX + "*").block(WAIT)).isEqualTo(keys);
            });
        }
        assertThat(master.commandStats("scan").calls()).isPositive();
        assertThat(master.commandStats("keys").calls()).isEqualTo(1);
        assertThat(replica.commandStats("scan").calls()).isZero();

        master.resetStats();
        runner(sentinel).withPropertyValues("keyscan.read-from-replicas=true", "keyscan.use-scan=true").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(KeyScanner.class).fetchKeys(PREFIX + "*").block(WAIT)).isEqualTo(keys);
        });
        assertThat(replica.commandStats("scan").calls()).isPositive();
        assertThat(master.commandStats("scan").calls()).isZero();
    }

    @Test
    void aFailoverDuringAListingIsFollowedToTheNewMaster() {
        List<String> keys = load(sentinel.master(), 20_000);
        try (LogCapture logs = LogCapture.keyscan()) {
            runner(sentinel).withPropertyValues("keyscan.use-scan=true").run(context -> {
                assertThat(context).hasNotFailed();
                List<String> seen = new ArrayList<>();
                StepVerifier.create(context.getBean(KeyScanner.class).scan(PREFIX + "*").doOnNext(seen::add), 0)
                        .thenRequest(5_000)
                        .expectNextCount(5_000)
                        .then(sentinel::failover)
                        .thenRequest(Long.MAX_VALUE)
                        .thenConsumeWhile(key -> true)
                        .expectComplete()
                        .verify(WAIT);
                assertThat(seen).doesNotHaveDuplicates();
                assertThat(new TreeSet<>(seen)).containsExactlyElementsOf(keys);
            });
            assertThat(logs.warnings()).anyMatch(line -> line.contains("changed during SCAN")
                    && line.contains("sentinel master set 'mymaster'"));
        }
    }

    @Test
    void sentinelAndDataPasswordsAreUsedAndNeverShown() {
        String data = "boot-data-pw-41c7";
        String sentinels = "boot-sentinel-pw-9d03";
        try (LocalRedisSentinel secured = LocalRedisSentinel.builder().dataPassword(data).sentinelPassword(sentinels)
                .start(); LogCapture logs = LogCapture.everything()) {
            List<String> keys = load(secured.master(), 100);
            runner(secured).withPropertyValues("spring.data.redis.password=" + data,
                    "spring.data.redis.sentinel.password=" + sentinels).run(context -> {
                        assertThat(context).hasNotFailed();
                        assertThat(context.getBean(KeyScanner.class).fetchKeys(PREFIX + "*").block(WAIT))
                                .isEqualTo(keys);
                    });
            runner(secured).withPropertyValues("spring.data.redis.password=wrong-boot-pw",
                    "spring.data.redis.sentinel.password=" + sentinels).run(context -> {
                        assertThat(context).hasFailed();
                        assertThat(messages(context.getStartupFailure()))
                                .contains("WRONGPASS")
                                .contains("keyscan could not open its connection to the master of sentinel master "
                                        + "set 'mymaster' through the Sentinels [127.0.0.1:")
                                .doesNotContain("wrong-boot-pw").doesNotContain(sentinels).doesNotContain(data);
                    });
            assertThat(logs.messagesWithThrowables()).noneMatch(line -> line.contains(data)
                    || line.contains(sentinels) || line.contains("wrong-boot-pw"));
        }
    }

    private static String messages(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            text.append(t.getMessage()).append('\n');
        }
        return text.toString();
    }
}
