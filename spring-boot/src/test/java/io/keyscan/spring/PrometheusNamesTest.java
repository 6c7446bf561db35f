package io.keyscan.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanListener.Path;
import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The names a Prometheus scrape shows for keyscan's meters and for the timer Spring Boot records from the listing
 * observation (a {@link DefaultMeterObservationHandler}, as Boot registers one): the names docs/spring-boot.md lists.
 * The listing here is a stub; what listings do against Redis is in {@code MetricsIT} and {@code ObservationIT}.
 */
class PrometheusNamesTest {

    @Test
    void theScrapeHasTheDocumentedNames() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerKeyScanListener listener = new MicrometerKeyScanListener();
        listener.bindTo(prometheus);
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(prometheus));

        new ObservedKeyScanner(oneKeyScanner(), observations).fetchKeys("user:*").block(Duration.ofSeconds(10));
        listener.onListing(Path.SCAN, Duration.ofMillis(1), 1, null);

        Set<String> families = new TreeSet<>();
        for (String line : prometheus.scrape().split("\n")) {
            if (line.startsWith("# TYPE keyscan_")) {
                families.add(line.substring("# TYPE ".length()));
            }
        }
        assertThat(families).containsExactly(
                "keyscan_keys_calls_total counter",
                "keyscan_listed_keys_total counter",
                "keyscan_listing_active_seconds summary",
                "keyscan_listing_active_seconds_max gauge",
                "keyscan_listing_seconds summary",
                "keyscan_listing_seconds_max gauge",
                "keyscan_retries_total counter",
                "keyscan_scan_pages_total counter",
                "keyscan_server_changes_total counter");
    }

    /** Answers every fetchKeys with one key, without Redis. */
    private static KeyScanner oneKeyScanner() {
        return (KeyScanner) Proxy.newProxyInstance(KeyScanner.class.getClassLoader(), new Class<?>[] {KeyScanner.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "fetchKeys" -> Mono.just(List.of("user:1"));
                    case "options" -> KeyScanOptions.builder().useScan(true).build();
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
