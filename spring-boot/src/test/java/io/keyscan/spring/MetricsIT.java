package io.keyscan.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyscan.KeyScanException;
import io.keyscan.KeyScanner;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.RedisExtension;
import io.keyscan.testkit.RedisServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The meters after real listings through the auto-configured scanner, with Spring Boot's own metrics and observation
 * auto-configuration (what Actuator brings): keyscan's meters bound to Boot's registry, and the listing timer that
 * Boot records from the {@code keyscan.listing} observation; checked against what the listing returned and against
 * the server's own count of SCAN calls.
 */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {

    private static final Duration WAIT = Duration.ofMinutes(1);
    private static final String PREFIX = "boot-metrics:";
    private static final int KEYS = 5000;

    private final RedisServer server;

    MetricsIT(RedisServer server) {
        this.server = server;
    }

    @BeforeAll
    void load() {
        server.flushAll();
        server.mset(0, KEYS, i -> PREFIX + i, i -> "v");
    }

    private ApplicationContextRunner runner(RedisServer target) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, KeyScanAutoConfiguration.class,
                        ObservationAutoConfiguration.class, MetricsAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
                .withPropertyValues("spring.data.redis.host=" + target.redisUri().getHost(),
                        "spring.data.redis.port=" + target.redisUri().getPort());
    }

    @Test
    void aScanListingCountsItsKeysPagesAndOneSuccessfulListing() {
        runner(server).withPropertyValues("keyscan.use-scan=true").run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            server.resetStats();
            List<String> keys = context.getBean(KeyScanner.class).fetchKeys(PREFIX + "*").block(WAIT);
            long scanCalls = server.commandStats("scan").calls();

            assertThat(keys).hasSize(KEYS);
            assertThat(registry.get("keyscan.listed.keys").tag("path", "scan").tag("outcome", "success")
                    .tag("exception", "none").counter().count()).isEqualTo(KEYS);
            assertThat(registry.get("keyscan.scan.pages").counter().count()).isPositive().isEqualTo(scanCalls);
            assertThat(registry.get("keyscan.listing").timers()).singleElement().satisfies(timer -> {
                assertThat(timer.count()).isEqualTo(1);
                assertThat(timer.getId().getBaseUnit()).isEqualTo("seconds");
                assertThat(timer.getId().getTags()).containsExactlyInAnyOrder(Tag.of("path", "scan"),
                        Tag.of("pattern.class", "broad"), Tag.of("outcome", "success"), Tag.of("error", "none"));
            });
            assertThat(registry.get("keyscan.keys.calls").counter().count()).isZero();
            assertThat(registry.get("keyscan.retries").counters()).allSatisfy(c -> assertThat(c.count()).isZero());
        });
    }

    @Test
    void aKeysListingIsCountedOnTheDeprecatedPath() {
        runner(server).withPropertyValues("keyscan.use-scan=false").run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            List<String> keys = context.getBean(KeyScanner.class).fetchKeys(PREFIX + "*").block(WAIT);

            assertThat(keys).hasSize(KEYS);
            assertThat(registry.get("keyscan.keys.calls").tag("outcome", "success").counter().count()).isEqualTo(1);
            assertThat(registry.get("keyscan.listed.keys").tag("path", "keys").tag("outcome", "success").counter()
                    .count()).isEqualTo(KEYS);
            assertThat(registry.get("keyscan.listing").tag("path", "keys").tag("outcome", "success").timer().count())
                    .isEqualTo(1);
            assertThat(registry.get("keyscan.scan.pages").counter().count()).isZero();
        });
    }

    /**
     * A server with KEYS disabled, as managed services do: the failed listing is counted as an error, tagged with its
     * exception.
     */
    @Test
    void aFailedListingIsCountedAsAnError() {
        try (LocalRedisServer noKeys = LocalRedisServer.builder().arg("--rename-command", "KEYS", "").start()) {
            runner(noKeys).withPropertyValues("keyscan.use-scan=false").run(context -> {
                MeterRegistry registry = context.getBean(MeterRegistry.class);
                assertThatThrownBy(() -> context.getBean(KeyScanner.class).fetchKeys("any:*").block(WAIT))
                        .isInstanceOf(KeyScanException.class);

                assertThat(registry.get("keyscan.keys.calls").tag("outcome", "error")
                        .tag("exception", "KeyScanException").counter().count()).isEqualTo(1);
                assertThat(registry.get("keyscan.keys.calls").tag("outcome", "success").counter().count()).isZero();
                assertThat(registry.get("keyscan.listing").tag("path", "keys").tag("outcome", "error")
                        .tag("error", "KeyScanException").timer().count()).isEqualTo(1);
                assertThat(registry.find("keyscan.listing").tag("outcome", "success").timer()).isNull();
            });
        }
    }
}
