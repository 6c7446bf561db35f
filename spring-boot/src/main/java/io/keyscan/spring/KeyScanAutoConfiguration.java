package io.keyscan.spring;

import io.keyscan.KeyScanListener;
import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Auto-configuration of keyscan:
 *
 * <ul>
 *   <li>a {@link KeyScanOptions} bean from the {@code keyscan.*} properties ({@link KeyScanProperties}), reporting to
 *       every {@link KeyScanListener} bean; checked at startup;</li>
 *   <li>with Spring Data Redis on the class path and one {@link LettuceConnectionFactory} bean (or a primary one:
 *       what Spring Boot builds from {@code spring.data.redis.*}), a {@link KeyScanner} bean over a connection of its own, opened from that
 *       factory's Lettuce client (standalone or cluster; for Sentinel, a client of its own from the factory's Sentinel
 *       configuration; static master/replica is refused at startup),
 *       unless the application defines a {@code KeyScanner} bean itself;</li>
 *   <li>with Micrometer on the class path and a {@link MeterRegistry} bean, a {@link KeyScanListener} that records
 *       the {@code keyscan.*} meters, a {@link MeterBinder} that Spring Boot binds to the registry;</li>
 *   <li>with an {@link ObservationRegistry} bean, the {@code KeyScanner} bean above observes each listing as one
 *       {@code keyscan.listing} observation, in whose Reactor Context Lettuce's commands run, so that their spans are
 *       its children (see {@link ObservedKeyScanner}).</li>
 * </ul>
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"})
@EnableConfigurationProperties(KeyScanProperties.class)
public class KeyScanAutoConfiguration {

    /**
     * The options from {@code keyscan.*}, reporting to every {@link KeyScanListener} bean (in their order). Also for
     * applications that build a {@code KeyScanner} of their own and want the properties and metrics to apply to it.
     */
    @Bean
    @ConditionalOnMissingBean
    KeyScanOptions keyScanOptions(KeyScanProperties properties, ObjectProvider<KeyScanListener> listeners,
            Environment environment) {
        return OptionsFromProperties.build(properties, CompositeKeyScanListener.of(listeners.orderedStream().toList()),
                environment::getProperty);
    }

    /** The scanner over the application's Lettuce settings; only with Spring Data Redis. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(LettuceConnectionFactory.class)
    @ConditionalOnSingleCandidate(LettuceConnectionFactory.class)
    @ConditionalOnMissingBean(KeyScanner.class)
    static class LettuceKeyScannerConfiguration {

        @Bean(destroyMethod = "close")
        KeyScanConnection keyScanConnection(LettuceConnectionFactory connectionFactory, KeyScanOptions options) {
            return KeyScanConnection.open(connectionFactory, options);
        }

        @Bean(destroyMethod = "close")
        KeyScanner keyScanner(KeyScanConnection connection, KeyScanOptions options,
                ObjectProvider<ScannerDecorator> decorators) {
            KeyScanner scanner = connection.scanner(options);
            for (ScannerDecorator decorator : decorators.orderedStream().toList()) {
                scanner = decorator.decorate(scanner);
            }
            return scanner;
        }
    }

    /** Wraps the auto-configured scanner: the observation, where there is an {@code ObservationRegistry}. */
    @FunctionalInterface
    interface ScannerDecorator {

        KeyScanner decorate(KeyScanner scanner);
    }

    /** The meters; only with Micrometer. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class MetricsConfiguration {

        /** Both the listener the options report to and the binder Spring Boot binds to its registry. */
        @Bean
        @ConditionalOnBean(MeterRegistry.class)
        MicrometerKeyScanListener keyScanMetricsListener() {
            return new MicrometerKeyScanListener();
        }
    }

    /** The {@code keyscan.listing} observation; only with Micrometer's observation API and a registry. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ObservationRegistry.class)
    static class ObservationConfiguration {

        @Bean
        @ConditionalOnBean(ObservationRegistry.class)
        ScannerDecorator keyScanListingObservation(ObservationRegistry observationRegistry) {
            return scanner -> new ObservedKeyScanner(scanner, observationRegistry);
        }
    }
}
