package io.keyscan.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanner;
import io.keyscan.testkit.LogCapture;
import io.keyscan.testkit.RedisExtension;
import io.keyscan.testkit.RedisServer;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The auto-configured scanner against a real standalone server, configured only through
 * {@code spring.data.redis.host/port}: both paths list the same keys, and {@code keyscan.use-scan} decides which
 * command the server sees.
 */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StandaloneIT {

    private static final Duration WAIT = Duration.ofMinutes(1);
    private static final String PREFIX = "boot-standalone:";

    private final RedisServer server;
    private final List<String> keys = new ArrayList<>();
    private ApplicationContextRunner runner;

    StandaloneIT(RedisServer server) {
        this.server = server;
    }

    @BeforeAll
    void load() {
        server.flushAll();
        Map<String, String> values = new java.util.HashMap<>();
        for (int i = 0; i < 3000; i++) {
            String key = PREFIX + String.format("%05d", i);
            keys.add(key);
            values.put(key, "v");
        }
        server.admin().mset(values);
        server.admin().set("other:1", "v");
        keys.sort(null);
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, KeyScanAutoConfiguration.class))
                .withPropertyValues("spring.data.redis.host=" + server.redisUri().getHost(),
                        "spring.data.redis.port=" + server.redisUri().getPort());
    }

    @Test
    void bothPathsListTheSameKeysAndTheFlagChoosesTheCommand() {
        List<String> viaKeys = new ArrayList<>();
        server.resetStats();
        runner.withPropertyValues("keyscan.use-scan=false").run(context -> {
            assertThat(context).hasNotFailed();
            viaKeys.addAll(context.getBean(KeyScanner.class).fetchKeys(PREFIX + "*").block(WAIT));
        });
        assertThat(server.commandStats("keys").calls()).isEqualTo(1);
        assertThat(server.commandStats("scan").calls()).isZero();

        List<String> viaScan = new ArrayList<>();
        server.resetStats();
        runner.withPropertyValues("keyscan.use-scan=true").run(context -> {
            viaScan.addAll(context.getBean(KeyScanner.class).fetchKeys(PREFIX + "*").block(WAIT));
        });
        assertThat(server.commandStats("keys").calls()).isZero();
        assertThat(server.commandStats("scan").calls()).isPositive();

        assertThat(viaKeys).isEqualTo(keys);
        assertThat(viaScan).isEqualTo(keys);
    }

    @Test
    void theStreamingScanDeliversTheSameKeys() {
        runner.withPropertyValues("keyscan.use-scan=true").run(context -> {
            List<String> streamed = context.getBean(KeyScanner.class).scan(PREFIX + "*").collectList().block(WAIT);
            assertThat(streamed).hasSameSizeAs(keys);
            assertThat(new TreeSet<>(streamed)).containsExactlyElementsOf(keys);
        });
    }

    /** keyscan's connection is its own, to this server, and is closed with the context, quietly. */
    @Test
    void theScannersConnectionIsClosedWithTheContext() {
        List<KeyScanConnection> opened = new ArrayList<>();
        try (LogCapture logs = LogCapture.everything()) {
            runner.withPropertyValues("keyscan.use-scan=true").run(context -> {
                assertThat(context.getBean(KeyScanner.class).fetchKeys(PREFIX + "0000*").block(WAIT)).hasSize(10);
                KeyScanConnection connection = context.getBean(KeyScanConnection.class);
                opened.add(connection);
                Long id = ((StatefulRedisConnection<String, String>) connection.connection()).sync().clientId();
                assertThat(server.admin().clientList()).contains("id=" + id + " ");
            });
            assertThat(logs.warnings()).isEmpty();
        }
        assertThat(opened).singleElement().satisfies(connection -> assertThat(connection.connection().isOpen())
                .isFalse());
    }
}
