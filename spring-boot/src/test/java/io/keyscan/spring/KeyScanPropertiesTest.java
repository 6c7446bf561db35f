package io.keyscan.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanOptions;
import io.keyscan.testkit.LogCapture;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** Binding of {@code keyscan.*} from properties and from environment variables, and the defaults. */
class KeyScanPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(KeyScanAutoConfiguration.class));

    /** Every property set to a value other than its default, in the property form. */
    static final Map<String, String> NON_DEFAULTS = Map.ofEntries(
            Map.entry("keyscan.use-scan", "true"),
            Map.entry("keyscan.scan-count", "500"),
            Map.entry("keyscan.scan-count-auto-tune", "false"),
            Map.entry("keyscan.scan-call-budget", "800us"),
            Map.entry("keyscan.scan-count-min", "20"),
            Map.entry("keyscan.scan-count-max", "5000"),
            Map.entry("keyscan.scan-parallelism", "8"),
            Map.entry("keyscan.node-concurrency", "3"),
            Map.entry("keyscan.read-from-replicas", "true"),
            Map.entry("keyscan.distinct-scan", "false"),
            Map.entry("keyscan.distinct-memory-limit", "64MB"),
            Map.entry("keyscan.command-timeout", "25s"),
            Map.entry("keyscan.retry-max-attempts", "7"),
            Map.entry("keyscan.retry-first-backoff", "50ms"),
            Map.entry("keyscan.retry-max-backoff", "1m"));

    @Test
    void withNothingSetTheOptionsAreKeyScanOptionsDefaults() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(KeyScanOptions.class)).isEqualTo(KeyScanOptions.defaults());
        });
    }

    @Test
    void thePropertiesDefaultsAreKeyScanOptionsDefaults() {
        KeyScanProperties properties = new KeyScanProperties();
        KeyScanOptions defaults = KeyScanOptions.defaults();
        assertThat(properties.getUseScan()).isEqualTo(defaults.useScan()).isFalse();
        assertThat(properties.getScanCount()).isEqualTo(defaults.scanCount());
        assertThat(properties.getScanCountAutoTune()).isEqualTo(defaults.scanCountAutoTune());
        assertThat(properties.getScanCallBudget()).isEqualTo(defaults.scanCallBudget());
        assertThat(properties.getScanCountMin()).isEqualTo(defaults.scanCountMin());
        assertThat(properties.getScanCountMax()).isEqualTo(defaults.scanCountMax());
        assertThat(properties.getScanParallelism()).isEqualTo(defaults.scanParallelism());
        assertThat(properties.getNodeConcurrency()).isEqualTo(defaults.nodeConcurrency());
        assertThat(properties.getReadFromReplicas()).isEqualTo(defaults.readFromReplicas());
        assertThat(properties.getDistinctScan()).isEqualTo(defaults.distinctScan());
        assertThat(properties.getCommandTimeout()).isEqualTo(defaults.commandTimeout());
        assertThat(properties.getRetryMaxAttempts()).isEqualTo(defaults.retryMaxAttempts());
        assertThat(properties.getRetryFirstBackoff()).isEqualTo(defaults.retryFirstBackoff());
        assertThat(properties.getRetryMaxBackoff()).isEqualTo(defaults.retryMaxBackoff());
    }

    @Test
    void everyPropertyBinds() {
        runner.withPropertyValues(NON_DEFAULTS.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .toArray(String[]::new))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertNonDefaults(context.getBean(KeyScanOptions.class));
                });
    }

    /**
     * Environment variables named as {@code KeyScanOptions.fromEnvironment()} reads them ({@code KEYSCAN_USE_SCAN}):
     * Spring Boot's relaxed binding maps them to the properties, through the property source it treats as the
     * system environment.
     */
    @Test
    void everyPropertyBindsFromTheKeyscanEnvironmentVariable() {
        Map<String, Object> environment = new java.util.HashMap<>();
        NON_DEFAULTS.forEach((property, value) -> environment.put(environmentVariable(property), value));
        assertThat(environment).containsEntry("KEYSCAN_USE_SCAN", "true")
                .containsEntry("KEYSCAN_SCAN_COUNT_AUTO_TUNE", "false")
                .containsEntry("KEYSCAN_RETRY_MAX_BACKOFF", "1m");
        withEnvironment(environment).run(context -> {
            assertThat(context).hasNotFailed();
            assertNonDefaults(context.getBean(KeyScanOptions.class));
        });
    }

    @Test
    void keyscanUseScanTrueInTheEnvironmentFlipsUseScan() {
        withEnvironment(Map.of("KEYSCAN_USE_SCAN", "true")).run(context -> {
            KeyScanOptions options = context.getBean(KeyScanOptions.class);
            assertThat(options.useScan()).isTrue();
            assertThat(options.mutate().useScan(false).build()).isEqualTo(KeyScanOptions.defaults());
        });
        withEnvironment(Map.of("KEYSCAN_USE_SCAN", "false"))
                .run(context -> assertThat(context.getBean(KeyScanOptions.class).useScan()).isFalse());
        // Spring Boot's canonical environment form of keyscan.use-scan works too.
        withEnvironment(Map.of("KEYSCAN_USESCAN", "true"))
                .run(context -> assertThat(context.getBean(KeyScanOptions.class).useScan()).isTrue());
    }

    /**
     * The operator's switch: the environment variable overrides what the application's own configuration says, as
     * environment variables override application.yml in a Spring Boot application (the environment source is added
     * first here, i.e. with the higher precedence, as Spring Boot orders them).
     */
    @Test
    void theEnvironmentVariableOverridesTheApplicationsProperty() {
        withEnvironment(Map.of("KEYSCAN_USE_SCAN", "true"))
                .withPropertyValues("keyscan.use-scan=false", "keyscan.retry-max-attempts=9")
                .run(context -> {
                    KeyScanOptions options = context.getBean(KeyScanOptions.class);
                    assertThat(options.useScan()).isTrue();
                    assertThat(options.retryMaxAttempts()).isEqualTo(9);
                });
    }

    /** As {@code KeyScanOptions.fromEnvironment()} reads them: an empty variable counts as unset. */
    @Test
    void anEmptyEnvironmentVariableLeavesTheDefault() {
        Map<String, Object> environment = new java.util.HashMap<>();
        NON_DEFAULTS.keySet().forEach(property -> environment.put(environmentVariable(property), ""));
        withEnvironment(environment).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(KeyScanOptions.class)).isEqualTo(KeyScanOptions.defaults());
        });
    }

    @Test
    void scanCountOutsideItsRangeIsAWarningAsWithTheBuilderNotAStartupFailure() {
        try (LogCapture logs = LogCapture.keyscan()) {
            runner.withPropertyValues("keyscan.scan-count=0", "keyscan.scan-count-auto-tune=false").run(context -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBean(KeyScanOptions.class).scanCount()).isEqualTo(KeyScanOptions.DEFAULT_SCAN_COUNT);
            });
            assertThat(logs.warnings()).anySatisfy(w -> assertThat(w).contains("scanCount=0", "using the default 10"));
        }
        try (LogCapture logs = LogCapture.keyscan()) {
            runner.withPropertyValues("keyscan.scan-count=20000", "keyscan.scan-count-auto-tune=false").run(context -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBean(KeyScanOptions.class).scanCount()).isEqualTo(20000);
            });
            assertThat(logs.warnings()).anySatisfy(w -> assertThat(w).contains("scanCount=20000", "above 10000"));
        }
    }

    static void assertNonDefaults(KeyScanOptions options) {
        assertThat(options.useScan()).isTrue();
        assertThat(options.distinctMemoryLimit()).isEqualTo(64L << 20);
        assertThat(options.scanCount()).isEqualTo(500);
        assertThat(options.scanCountAutoTune()).isFalse();
        assertThat(options.scanCallBudget()).isEqualTo(Duration.ofNanos(800_000));
        assertThat(options.scanCountMin()).isEqualTo(20);
        assertThat(options.scanCountMax()).isEqualTo(5000);
        assertThat(options.scanParallelism()).isEqualTo(8);
        assertThat(options.nodeConcurrency()).isEqualTo(3);
        assertThat(options.readFromReplicas()).isTrue();
        assertThat(options.distinctScan()).isFalse();
        assertThat(options.commandTimeout()).isEqualTo(Duration.ofSeconds(25));
        assertThat(options.retryMaxAttempts()).isEqualTo(7);
        assertThat(options.retryFirstBackoff()).isEqualTo(Duration.ofMillis(50));
        assertThat(options.retryMaxBackoff()).isEqualTo(Duration.ofMinutes(1));
    }

    /** {@code keyscan.scan-count-auto-tune} is {@code KEYSCAN_SCAN_COUNT_AUTO_TUNE}. */
    static String environmentVariable(String property) {
        return property.replace('.', '_').replace('-', '_').toUpperCase(java.util.Locale.ROOT);
    }

    /**
     * The runner with {@code variables} as a system-environment property source of the highest precedence. Spring
     * Boot applies its environment-variable name mapping to a {@link SystemEnvironmentPropertySource} whose name is
     * or ends with {@code systemEnvironment}.
     */
    ApplicationContextRunner withEnvironment(Map<String, Object> variables) {
        return runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                new SystemEnvironmentPropertySource("test-" + StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        variables)));
    }
}
