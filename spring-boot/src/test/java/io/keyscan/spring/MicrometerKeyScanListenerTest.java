package io.keyscan.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanException;
import io.keyscan.KeyScanListener.Path;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What each event does to the meters, and that tag values stay within fixed sets. */
class MicrometerKeyScanListenerTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerKeyScanListener listener = new MicrometerKeyScanListener(registry);

    @Test
    void everyMeterIsRegisteredUpFrontAtZero() {
        assertThat(registry.get(MicrometerKeyScanListener.PAGES).counter().count()).isZero();
        assertThat(registry.get(MicrometerKeyScanListener.SERVER_CHANGES).counter().count()).isZero();
        assertThat(registry.get(MicrometerKeyScanListener.KEYS_CALLS).counter().count()).isZero();
        assertThat(registry.get(MicrometerKeyScanListener.KEYS).counters()).hasSize(3);
        assertThat(registry.get(MicrometerKeyScanListener.RETRIES).counters()).hasSize(7);
        assertThat(registry.get(MicrometerKeyScanListener.LISTINGS).timers()).hasSize(6);
        for (Meter meter : registry.getMeters()) {
            assertThat(meter.getId().getName()).startsWith("keyscan.");
            assertThat(meter.getId().getDescription()).isNotBlank();
        }
    }

    @Test
    void aScanListingCountsItsPagesKeysAndTime() {
        listener.onScanPage("10.0.0.1:6379", 100, 40);
        listener.onScanPage("10.0.0.2:6379", 100, 0);
        listener.onListing(Path.SCAN, Duration.ofMillis(30), 40, null);

        assertThat(registry.get(MicrometerKeyScanListener.PAGES).counter().count()).isEqualTo(2);
        assertThat(registry.get(MicrometerKeyScanListener.KEYS).tag("path", "scan").counter().count()).isEqualTo(40);
        assertThat(registry.get(MicrometerKeyScanListener.KEYS).tag("path", "keys").counter().count()).isZero();
        assertThat(registry.get(MicrometerKeyScanListener.KEYS_CALLS).counter().count()).isZero();
        var timer = registry.get(MicrometerKeyScanListener.LISTINGS).tag("path", "scan").tag("outcome", "success")
                .timer();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(30);
    }

    @Test
    void aKeysListingIsCountedAsACallOnTheDeprecatedPathWhateverItsOutcome() {
        listener.onListing(Path.KEYS, Duration.ofMillis(80), 1000, null);
        listener.onListing(Path.KEYS, Duration.ofMillis(5), 0, new KeyScanException("KEYS is disabled", "*", null, 1,
                null));

        assertThat(registry.get(MicrometerKeyScanListener.KEYS_CALLS).counter().count()).isEqualTo(2);
        assertThat(registry.get(MicrometerKeyScanListener.KEYS).tag("path", "keys").counter().count()).isEqualTo(1000);
        assertThat(registry.get(MicrometerKeyScanListener.LISTINGS).tag("path", "keys").tag("outcome", "success")
                .timer().count()).isEqualTo(1);
        assertThat(registry.get(MicrometerKeyScanListener.LISTINGS).tag("path", "keys").tag("outcome", "error")
                .timer().count()).isEqualTo(1);
    }

    @Test
    void anExistsListingHasItsOwnPath() {
        listener.onListing(Path.EXISTS, Duration.ofMillis(1), 1, null);
        assertThat(registry.get(MicrometerKeyScanListener.KEYS).tag("path", "exists").counter().count()).isEqualTo(1);
    }

    @Test
    void retriesAreTaggedWithTheCommandNameOnlyAndUnknownCommandsShareOneTag() {
        listener.onRetry("SCAN", "10.0.0.1:6379", 1, new RuntimeException());
        listener.onRetry("SCAN", "10.0.0.2:6379", 2, new RuntimeException());
        listener.onRetry("INFO server", "10.0.0.1:6379", 1, new RuntimeException());
        listener.onRetry("Looking up the servers", "the keyspace", 1, new RuntimeException());
        listener.onRetry("SOMETHING NEW user:42:*", "10.0.0.1:6379", 1, new RuntimeException());

        assertThat(registry.get(MicrometerKeyScanListener.RETRIES).tag("command", "scan").counter().count()).isEqualTo(2);
        assertThat(registry.get(MicrometerKeyScanListener.RETRIES).tag("command", "info").counter().count()).isEqualTo(1);
        assertThat(registry.get(MicrometerKeyScanListener.RETRIES).tag("command", "other").counter().count())
                .isEqualTo(2);
        Set<String> tags = new HashSet<>();
        registry.get(MicrometerKeyScanListener.RETRIES).counters().forEach(c -> tags.add(c.getId().getTag("command")));
        assertThat(tags).isEqualTo(MicrometerKeyScanListener.RETRIED_COMMANDS);
    }

    @Test
    void serverChangesAreCounted() {
        listener.onServerChange("10.0.0.1:6379");
        assertThat(registry.get(MicrometerKeyScanListener.SERVER_CHANGES).counter().count()).isEqualTo(1);
    }

    @Test
    void noTagCarriesAnAddress() {
        listener.onScanPage("10.0.0.1:6379", 10, 1);
        listener.onRetry("SCAN", "10.0.0.1:6379", 1, new RuntimeException());
        listener.onServerChange("10.0.0.1:6379");
        for (Meter meter : registry.getMeters()) {
            meter.getId().getTags().forEach(tag -> assertThat(tag.getValue()).doesNotContain("10.0.0.1"));
        }
    }
}
