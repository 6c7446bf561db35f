package io.keyscan.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanOptions;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.convert.DurationStyle;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The IDE metadata the configuration processor generated into the jar: every {@code keyscan.*} property is there,
 * with a description and its default, and the defaults are {@link KeyScanOptions}' own.
 */
class ConfigurationMetadataTest {

    /** The shipped property names with KeyScanOptions' defaults, in the form the metadata carries them. */
    private static final Map<String, Object> EXPECTED = new LinkedHashMap<>();

    static {
        KeyScanOptions defaults = KeyScanOptions.defaults();
        EXPECTED.put("keyscan.use-scan", defaults.useScan());
        EXPECTED.put("keyscan.scan-count", defaults.scanCount());
        EXPECTED.put("keyscan.scan-count-auto-tune", defaults.scanCountAutoTune());
        EXPECTED.put("keyscan.scan-call-budget", defaults.scanCallBudget());
        EXPECTED.put("keyscan.scan-count-min", defaults.scanCountMin());
        EXPECTED.put("keyscan.scan-count-max", defaults.scanCountMax());
        EXPECTED.put("keyscan.scan-parallelism", defaults.scanParallelism());
        EXPECTED.put("keyscan.node-concurrency", defaults.nodeConcurrency());
        EXPECTED.put("keyscan.read-from-replicas", defaults.readFromReplicas());
        EXPECTED.put("keyscan.distinct-scan", defaults.distinctScan());
        EXPECTED.put("keyscan.command-timeout", defaults.commandTimeout());
        EXPECTED.put("keyscan.retry-max-attempts", defaults.retryMaxAttempts());
        EXPECTED.put("keyscan.retry-first-backoff", defaults.retryFirstBackoff());
        EXPECTED.put("keyscan.retry-max-backoff", defaults.retryMaxBackoff());
    }

    /** Properties whose default depends on the JVM (a share of the maximum heap): described, no default value. */
    private static final List<String> RUNTIME_DEFAULTS = List.of("keyscan.distinct-memory-limit");

    @Test
    void everyPropertyIsDescribedWithItsDefault() throws Exception {
        JsonNode metadata;
        try (InputStream in = KeyScanProperties.class.getClassLoader()
                .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("META-INF/spring-configuration-metadata.json on the class path").isNotNull();
            metadata = new ObjectMapper().readTree(in);
        }
        Map<String, JsonNode> properties = new LinkedHashMap<>();
        for (JsonNode property : metadata.get("properties")) {
            properties.put(property.get("name").asString(), property);
        }
        List<String> names = new ArrayList<>(EXPECTED.keySet());
        names.addAll(RUNTIME_DEFAULTS);
        assertThat(properties.keySet()).containsExactlyInAnyOrderElementsOf(names);
        for (String name : RUNTIME_DEFAULTS) {
            assertThat(properties.get(name).get("description").asString()).as(name).contains("heap");
            assertThat(properties.get(name).get("defaultValue")).as(name).isNull();
        }

        List<String> problems = new ArrayList<>();
        EXPECTED.forEach((name, expectedDefault) -> {
            JsonNode property = properties.get(name);
            JsonNode description = property.get("description");
            if (description == null || description.asString().length() < 20) {
                problems.add(name + " has no description");
            }
            JsonNode defaultValue = property.get("defaultValue");
            if (defaultValue == null) {
                problems.add(name + " has no default");
                return;
            }
            Object actual = expectedDefault instanceof Duration
                    ? DurationStyle.detectAndParse(defaultValue.asString())
                    : expectedDefault instanceof Boolean ? (Object) defaultValue.asBoolean() : (Object) defaultValue.asInt();
            if (!expectedDefault.equals(actual)) {
                problems.add(name + " defaults to " + defaultValue + " in the metadata, KeyScanOptions to "
                        + expectedDefault);
            }
        });
        assertThat(problems).isEmpty();
        assertThat(metadata.get("groups").get(0).get("type").asString()).isEqualTo(KeyScanProperties.class.getName());
    }
}
