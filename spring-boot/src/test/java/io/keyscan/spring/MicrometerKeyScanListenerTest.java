package io.keyscan.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanException;
import io.keyscan.KeyScanListener.Path;
import io.keyscan.KeyScanTimeoutException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What each event does to the meters, and that tag values stay within fixed sets. */
class MicrometerKeyScanListenerTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerKeyScanListener listener = new MicrometerKeyScanListener();

    MicrometerKeyScanListenerTest() {
        listener.bindTo(registry);
    }

    @Test
    void everyMeterIsRegisteredWhenBoundAtZeroWithItsBaseUnit() {
        assertThat(registry.get(MicrometerKeyScanListener.PAGES).counter().count()).isZero();
        assertThat(registry.get(MicrometerKeyScanListener.SERVER_CHANGES).counter().count()).isZero();
        assertThat(registry.get(MicrometerKeyScanListener.KEYS_CALLS).counters()).singleElement()
                .satisfies(c -> assertThat(c.count()).isZero());
        assertThat(registry.get(MicrometerKeyScanListener.LISTED_KEYS).counters()).hasSize(3);
        assertThat(registry.get(MicrometerKeyScanListener.RETRIES).counters()).hasSize(7);
        Map<String, String> units = new HashMap<>();
        for (Meter meter : registry.getMeters()) {
            assertThat(meter.getId().getName()).startsWith("keyscan.").isIn(MicrometerKeyScanListener.NAMES);
            assertThat(meter.getId().getDescription()).isNotBlank();
            units.put(meter.getId().getName(), meter.getId().getBaseUnit());
        }
        assertThat(units).isEqualTo(Map.of(MicrometerKeyScanListener.PAGES, "pages",
                MicrometerKeyScanListener.LISTED_KEYS, "keys", MicrometerKeyScanListener.RETRIES, "retries",
                MicrometerKeyScanListener.SERVER_CHANGES, "changes", MicrometerKeyScanListener.KEYS_CALLS, "calls"));
    }

    /**
     * A name that is a prefix of another (as {@code keyscan.keys} was of {@code keyscan.keys.calls}) is a leaf and a
     * branch at once in hierarchical back ends. The observation's timer ({@code keyscan.listing}) counts as one of
     * ours; Micrometer's own {@code keyscan.listing.active} beside it is the one exception, by Micrometer's naming.
     */
    @Test
    void noMeterNameIsAPrefixOfAnother() {
        List<String> names = new ArrayList<>(MicrometerKeyScanListener.NAMES);
        names.add(ObservedKeyScanner.NAME);
        for (String name : names) {
            for (String other : names) {
                if (!name.equals(other)) {
                    assertThat(other).as("%s under %s", other, name).doesNotStartWith(name + ".");
                }
            }
        }
    }

    @Test
    void aScanListingCountsItsPagesAndKeys() {
        listener.onScanPage("10.0.0.1:6379", 100, 40);
        listener.onScanPage("10.0.0.2:6379", 100, 0);
        listener.onListing(Path.SCAN, Duration.ofMillis(30), 40, null);

        assertThat(registry.get(MicrometerKeyScanListener.PAGES).counter().count()).isEqualTo(2);
        assertThat(listedKeys("scan", "success", "none").count()).isEqualTo(40);
        assertThat(listedKeys("keys", "success", "none").count()).isZero();
        assertThat(registry.get(MicrometerKeyScanListener.KEYS_CALLS).counter().count()).isZero();
    }

    @Test
    void aKeysListingIsCountedAsACallOnTheDeprecatedPathWithItsOutcome() {
        listener.onListing(Path.KEYS, Duration.ofMillis(80), 1000, null);
        listener.onListing(Path.KEYS, Duration.ofMillis(5), 0, new KeyScanException("KEYS is disabled", "*", null, 1,
                null));

        assertThat(registry.get(MicrometerKeyScanListener.KEYS_CALLS).tag("outcome", "success").tag("exception", "none")
                .counter().count()).isEqualTo(1);
        assertThat(registry.get(MicrometerKeyScanListener.KEYS_CALLS).tag("outcome", "error")
                .tag("exception", "KeyScanException").counter().count()).isEqualTo(1);
        assertThat(listedKeys("keys", "success", "none").count()).isEqualTo(1000);
        assertThat(listedKeys("keys", "error", "KeyScanException").count()).isZero();
    }

    @Test
    void aFailedListingCountsTheKeysItDeliveredUnderItsExceptionsSimpleName() {
        listener.onListing(Path.SCAN, Duration.ofMillis(5), 7, new KeyScanTimeoutException("SCAN timed out", "*",
                "0", 3, Duration.ofSeconds(1), null));
        listener.onListing(Path.SCAN, Duration.ofMillis(5), 1, new IllegalStateException() { });

        assertThat(listedKeys("scan", "error", "KeyScanTimeoutException").count()).isEqualTo(7);
        assertThat(registry.get(MicrometerKeyScanListener.LISTED_KEYS).tag("outcome", "error").counters())
                .extracting(c -> c.getId().getTag("exception"))
                .containsExactlyInAnyOrder("KeyScanTimeoutException", "io.keyscan.spring.MicrometerKeyScanListenerTest$1");
    }

    @Test
    void anExistsListingHasItsOwnPath() {
        listener.onListing(Path.EXISTS, Duration.ofMillis(1), 1, null);
        assertThat(listedKeys("exists", "success", "none").count()).isEqualTo(1);
    }

    /** Spring Boot binds a binder to each registry it post-processes; events before that are not recorded. */
    @Test
    void eachRegistryItIsBoundToGetsTheEventsAfterBinding() {
        MicrometerKeyScanListener unbound = new MicrometerKeyScanListener();
        unbound.onScanPage("10.0.0.1:6379", 10, 1);
        SimpleMeterRegistry first = new SimpleMeterRegistry();
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        unbound.bindTo(first);
        unbound.bindTo(second);
        unbound.onScanPage("10.0.0.1:6379", 10, 1);

        assertThat(first.get(MicrometerKeyScanListener.PAGES).counter().count()).isEqualTo(1);
        assertThat(second.get(MicrometerKeyScanListener.PAGES).counter().count()).isEqualTo(1);
    }

    private Counter listedKeys(String path, String outcome, String exception) {
        return registry.get(MicrometerKeyScanListener.LISTED_KEYS).tag("path", path).tag("outcome", outcome)
                .tag("exception", exception).counter();
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
