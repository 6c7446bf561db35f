package io.keyscan.spring;

import io.keyscan.KeyScanListener;
import io.keyscan.KeyScanOptions;
import java.util.function.Consumer;
import java.util.function.Function;
import org.springframework.util.unit.DataSize;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Builds {@link KeyScanOptions} from {@link KeyScanProperties} through {@link KeyScanOptions.Builder}, so that the
 * ranges are checked in one place (the builder) and a value it refuses fails startup naming the property.
 */
final class OptionsFromProperties {

    private OptionsFromProperties() {
    }

    /**
     * The options the properties describe, reporting to {@code listener} (or to nobody if {@code null}).
     *
     * @param written what the configuration says for a property name, as written ({@code 50ms} rather than the
     *     bound {@code PT0.05S}), for messages; {@code null} where it cannot tell
     * @throws InvalidConfigurationPropertyValueException naming the property, its value and the allowed range, for
     *     a value the builder refuses; Spring Boot's failure analyzer prints it with where the value came from
     */
    static KeyScanOptions build(KeyScanProperties properties, @Nullable KeyScanListener listener,
            Function<String, @Nullable String> written) {
        Setter set = new Setter(written);
        KeyScanOptions.Builder builder = KeyScanOptions.builder();
        set.set("keyscan.use-scan", properties.getUseScan(), builder::useScan);
        // Outside 1..10000 the builder logs a WARN naming the value and, below 1, uses the default: not an error.
        set.set("keyscan.scan-count", properties.getScanCount(), builder::scanCount);
        set.set("keyscan.scan-count-auto-tune", properties.getScanCountAutoTune(), builder::scanCountAutoTune);
        set.set("keyscan.scan-call-budget", properties.getScanCallBudget(), builder::scanCallBudget);
        set.set("keyscan.scan-count-min", properties.getScanCountMin(), builder::scanCountMin);
        set.set("keyscan.scan-count-max", properties.getScanCountMax(), builder::scanCountMax);
        set.set("keyscan.scan-parallelism", properties.getScanParallelism(), builder::scanParallelism);
        set.set("keyscan.node-concurrency", properties.getNodeConcurrency(), builder::nodeConcurrency);
        set.set("keyscan.read-from-replicas", properties.getReadFromReplicas(), builder::readFromReplicas);
        set.set("keyscan.distinct-scan", properties.getDistinctScan(), builder::distinctScan);
        DataSize distinctMemoryLimit = properties.getDistinctMemoryLimit();
        if (distinctMemoryLimit != null) {
            set.set("keyscan.distinct-memory-limit", distinctMemoryLimit.toBytes(), builder::distinctMemoryLimit);
        }
        set.set("keyscan.command-timeout", properties.getCommandTimeout(), builder::commandTimeout);
        set.set("keyscan.retry-max-attempts", properties.getRetryMaxAttempts(), builder::retryMaxAttempts);
        set.set("keyscan.retry-first-backoff", properties.getRetryFirstBackoff(), builder::retryFirstBackoff);
        set.set("keyscan.retry-max-backoff", properties.getRetryMaxBackoff(), builder::retryMaxBackoff);
        if (listener != null) {
            builder.listener(listener);
        }
        // build() checks the rules spanning two settings; its message names both (in the builder's terms).
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            if (properties.getScanCountMin() > properties.getScanCountMax()) {
                throw set.invalid("keyscan.scan-count-min", properties.getScanCountMin(), e);
            }
            throw set.invalid("keyscan.retry-max-backoff", properties.getRetryMaxBackoff(), e);
        }
    }

    private static final class Setter {

        private final Function<String, @Nullable String> written;

        Setter(Function<String, @Nullable String> written) {
            this.written = written;
        }

        <T> void set(String property, T value, Consumer<T> setter) {
            try {
                setter.accept(value);
            } catch (IllegalArgumentException e) {
                throw invalid(property, value, e);
            }
        }

        InvalidConfigurationPropertyValueException invalid(String property, Object value, IllegalArgumentException e) {
            String raw = written.apply(property);
            return new InvalidConfigurationPropertyValueException(property, raw != null ? raw : value, e.getMessage(), e);
        }
    }
}
