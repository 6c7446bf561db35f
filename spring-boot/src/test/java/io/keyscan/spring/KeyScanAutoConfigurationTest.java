package io.keyscan.spring;

import static io.keyscan.spring.KeyScanValidationTest.find;
import static io.keyscan.spring.KeyScanValidationTest.messages;
import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanListener;
import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.testkit.LogCapture;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.annotation.Order;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * What the auto-configuration creates, and when it backs off, without a Redis server: every case here either needs
 * no connection or fails before one is opened (a refused configuration, a port nobody listens on).
 */
class KeyScanAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, KeyScanAutoConfiguration.class));

    @Test
    void withoutSpringDataRedisOnTheClassPathTheAppStartsWithOptionsButNoScanner() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasSingleBean(KeyScanOptions.class);
                    assertThat(context).doesNotHaveBean(KeyScanner.class);
                    assertThat(context).doesNotHaveBean(KeyScanConnection.class);
                });
    }

    @Test
    void withoutAConnectionFactoryThereIsNoScanner() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(KeyScanAutoConfiguration.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasSingleBean(KeyScanOptions.class);
                    assertThat(context).doesNotHaveBean(KeyScanner.class);
                });
    }

    /** Nothing listens on the port, so had the auto-configuration tried to connect, startup would have failed. */
    @Test
    void backsOffWhenTheApplicationDefinesItsOwnScanner() {
        KeyScanner own = unusedScanner();
        runner.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + closedPort())
                .withBean(KeyScanner.class, () -> own)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasSingleBean(LettuceConnectionFactory.class);
                    assertThat(context.getBean(KeyScanner.class)).isSameAs(own);
                    assertThat(context).doesNotHaveBean(KeyScanConnection.class);
                    assertThat(context).hasSingleBean(KeyScanOptions.class); // still there, for the application's scanner
                });
    }

    @Test
    void withTwoConnectionFactoriesAndNoPrimaryThereIsNoScanner() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(KeyScanAutoConfiguration.class))
                .withBean("first", LettuceConnectionFactory.class, () -> new LettuceConnectionFactory("127.0.0.1",
                        closedPort()))
                .withBean("second", LettuceConnectionFactory.class, () -> new LettuceConnectionFactory("127.0.0.1",
                        closedPort()))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(KeyScanner.class);
                });
    }

    /** The primary one is used: nothing listens on its port, and the failure names that port. */
    @Test
    void withTwoConnectionFactoriesThePrimaryOneIsUsed() {
        int primaryPort = closedPort();
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(KeyScanAutoConfiguration.class))
                .withBean("first", LettuceConnectionFactory.class, () -> new LettuceConnectionFactory("127.0.0.1",
                        closedPort()))
                .withBean("second", LettuceConnectionFactory.class, () -> new LettuceConnectionFactory("127.0.0.1",
                        primaryPort), definition -> definition.setPrimary(true))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure()))
                            .contains("keyscan could not open its connection to Redis at 127.0.0.1:" + primaryPort);
                });
    }

    @Test
    void backsOffFromTheOptionsWhenTheApplicationDefinesItsOwn() {
        KeyScanOptions own = KeyScanOptions.builder().useScan(true).build();
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(KeyScanAutoConfiguration.class))
                .withPropertyValues("keyscan.use-scan=false")
                .withBean(KeyScanOptions.class, () -> own)
                .run(context -> assertThat(context.getBean(KeyScanOptions.class)).isSameAs(own));
    }

    @Test
    void aServerNobodyListensOnFailsStartupNamingTheAddressButNeverThePassword() {
        int port = closedPort();
        try (LogCapture logs = LogCapture.everything()) {
            runner.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + port,
                            "spring.data.redis.password=s3cret-Passw0rd", "spring.data.redis.connect-timeout=5s")
                    .run(context -> {
                        assertThat(context).hasFailed();
                        String messages = messages(context.getStartupFailure());
                        assertThat(messages).contains("keyscan could not open its connection to Redis at 127.0.0.1:"
                                + port + ", database 0", "spring.data.redis").doesNotContain("s3cret-Passw0rd");
                    });
            assertThat(logs.messagesWithThrowables()).noneMatch(line -> line.contains("s3cret-Passw0rd"));
        }
    }

    @Test
    void unreachableSentinelsFailStartupNamingTheMasterSet() {
        runner.withPropertyValues("spring.data.redis.sentinel.master=mymaster",
                        "spring.data.redis.sentinel.nodes=127.0.0.1:" + closedPort())
                .run(context -> {
                    assertThat(context).hasFailed();
                    IllegalStateException failed = find(context.getStartupFailure(), IllegalStateException.class);
                    assertThat(failed).hasMessageStartingWith("keyscan could not open its connection to the master "
                            + "of sentinel master set 'mymaster' through the Sentinels [127.0.0.1:")
                            .hasMessageContaining("spring.data.redis.*");
                });
    }

    @Test
    void staticMasterReplicaIsRefusedWithAClearMessage() {
        runner.withPropertyValues("spring.data.redis.masterreplica.nodes=127.0.0.1:" + closedPort() + ",127.0.0.1:"
                        + closedPort())
                .run(context -> {
                    assertThat(context).hasFailed();
                    IllegalStateException refused = find(context.getStartupFailure(), IllegalStateException.class);
                    assertThat(refused).hasMessageStartingWith("keyscan cannot list keys through a static "
                            + "master/replica configuration (spring.data.redis.masterreplica.nodes")
                            .hasMessageContaining("a SCAN cursor means nothing to a server that did not issue it");
                });
    }

    @Test
    void withoutMicrometerOnTheClassPathThereAreNoMetricsAndNothingFails() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(KeyScanAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("io.micrometer"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(KeyScanListener.class);
                    assertThat(context.getBean(KeyScanOptions.class)).isEqualTo(KeyScanOptions.defaults());
                });
    }

    @Test
    void withMicrometerButNoRegistryThereAreNoMetrics() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(KeyScanAutoConfiguration.class))
                .run(context -> {
                    assertThat(context).doesNotHaveBean(KeyScanListener.class);
                    assertThat(context.getBean(KeyScanOptions.class)).isEqualTo(KeyScanOptions.defaults());
                });
    }

    /** Spring Boot's own metrics auto-configuration: the registry, which binds every MeterBinder bean to it. */
    private static final AutoConfigurations METRICS = AutoConfigurations.of(MetricsAutoConfiguration.class,
            SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class);

    @Test
    void aMeterRegistryGetsTheMetricsListenerBoundToIt() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(KeyScanAutoConfiguration.class))
                .withConfiguration(METRICS)
                .run(context -> {
                    KeyScanListener listener = context.getBean(KeyScanOptions.class).listener();
                    assertThat(listener).isInstanceOf(MicrometerKeyScanListener.class)
                            .isSameAs(context.getBean(MeterBinder.class));
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.get(MicrometerKeyScanListener.KEYS_CALLS).counter().count()).isZero();
                    listener.onListing(KeyScanListener.Path.KEYS, Duration.ofMillis(3), 12, null);
                    assertThat(registry.get(MicrometerKeyScanListener.KEYS_CALLS).counter().count()).isEqualTo(1);
                });
    }

    /**
     * With Spring Boot's own metrics auto-configuration, which creates the registry: keyscan's runs after it, so
     * {@code @ConditionalOnBean(MeterRegistry.class)} sees the registry. (AutoConfigurations sorts by the ordering
     * annotations, as an application does; listing keyscan's first changes nothing.)
     */
    @Test
    void springBootsOwnMeterRegistryGetsTheMeters() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(KeyScanAutoConfiguration.class, MetricsAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(KeyScanOptions.class).listener())
                            .isInstanceOf(MicrometerKeyScanListener.class);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.find(MicrometerKeyScanListener.LISTED_KEYS).counters()).hasSize(3);
                });
    }

    /** An ObservationRegistry (Spring Boot's, with metrics or tracing) turns the listing observation on. */
    @Test
    void anObservationRegistryTurnsTheListingObservationOn() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(KeyScanAutoConfiguration.class,
                        ObservationAutoConfiguration.class))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(ObservationRegistry.class)
                            .hasSingleBean(KeyScanAutoConfiguration.ScannerDecorator.class);
                    KeyScanner scanner = unusedScanner();
                    assertThat(context.getBean(KeyScanAutoConfiguration.ScannerDecorator.class).decorate(scanner))
                            .isInstanceOf(ObservedKeyScanner.class)
                            .satisfies(s -> assertThat(((ObservedKeyScanner) s).delegate()).isSameAs(scanner));
                });
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(KeyScanAutoConfiguration.class))
                .run(context -> assertThat(context).doesNotHaveBean(KeyScanAutoConfiguration.ScannerDecorator.class));
    }

    /** The application's listeners and the metrics all get every event; one that throws does not stop the others. */
    @Test
    void everyListenerBeanGetsTheEvents() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(KeyScanAutoConfiguration.class))
                .withConfiguration(METRICS)
                .withUserConfiguration(Listeners.class)
                .run(context -> {
                    KeyScanListener listener = context.getBean(KeyScanOptions.class).listener();
                    assertThat(listener).isInstanceOf(CompositeKeyScanListener.class);
                    assertThat(((CompositeKeyScanListener) listener).listeners()).hasSize(3);
                    try (LogCapture logs = LogCapture.keyscan()) {
                        listener.onServerChange("10.0.0.1:6379");
                        listener.onListing(KeyScanListener.Path.SCAN, Duration.ofMillis(5), 42, null);
                        assertThat(logs.warnings()).anySatisfy(w -> assertThat(w).contains("onServerChange failed"))
                                .anySatisfy(w -> assertThat(w).contains("onListing failed"));
                    }
                    Recording recording = context.getBean(Recording.class);
                    assertThat(recording.events).containsExactly("serverChange 10.0.0.1:6379", "listing SCAN 42");
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.get(MicrometerKeyScanListener.SERVER_CHANGES).counter().count()).isEqualTo(1);
                    assertThat(registry.get(MicrometerKeyScanListener.LISTED_KEYS).tag("path", "scan").counter().count())
                            .isEqualTo(42);
                });
    }

    static class Listeners {

        /** Ordered first, so that the others are called after it threw. */
        @org.springframework.context.annotation.Bean
        @Order(0)
        KeyScanListener throwing() {
            return new KeyScanListener() {
                @Override
                public void onServerChange(String address) {
                    throw new IllegalStateException("listener bug");
                }

                @Override
                public void onListing(Path path, Duration duration, long keys, Throwable error) {
                    throw new IllegalStateException("listener bug");
                }
            };
        }

        @org.springframework.context.annotation.Bean
        @Order(1)
        Recording recording() {
            return new Recording();
        }
    }

    static final class Recording implements KeyScanListener {
        final List<String> events = new ArrayList<>();

        @Override
        public void onServerChange(String address) {
            events.add("serverChange " + address);
        }

        @Override
        public void onListing(Path path, Duration duration, long keys, Throwable error) {
            events.add("listing " + path + " " + keys);
        }
    }

    /** A scanner that is only ever compared by identity here; closing it (at context close) does nothing. */
    private static KeyScanner unusedScanner() {
        return (KeyScanner) Proxy.newProxyInstance(KeyScanner.class.getClassLoader(), new Class<?>[] {KeyScanner.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "close":
                            return null;
                        case "toString":
                            return "the application's KeyScanner";
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    /** A loopback port nobody listens on (free when checked). */
    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
