package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.keyscan.testkit.LogCapture;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyScanOptionsTest {

    @Test
    void everyDefault() {
        KeyScanOptions defaults = KeyScanOptions.defaults();
        assertThat(defaults.useScan()).isFalse();
        assertThat(defaults.scanCount()).isEqualTo(10);
        assertThat(defaults.scanCountAutoTune()).isTrue();
        assertThat(defaults.distinctScan()).isTrue();
        assertThat(defaults.commandTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(defaults.retryMaxAttempts()).isEqualTo(4);
        assertThat(defaults.retryFirstBackoff()).isEqualTo(Duration.ofMillis(100));
        assertThat(defaults.retryMaxBackoff()).isEqualTo(Duration.ofSeconds(2));
        assertThat(KeyScanOptions.builder().build()).isEqualTo(defaults);
        assertThat(KeyScanOptions.fromEnvironment(Map.of())).isEqualTo(defaults);
    }

    @Test
    void mutateBuildsANewInstanceAndLeavesTheOriginalAlone() {
        KeyScanOptions original = KeyScanOptions.builder().useScan(true).scanCount(500).scanCountAutoTune(false).build();
        KeyScanOptions changed = original.mutate().useScan(false).build();

        assertThat(original.useScan()).isTrue();
        assertThat(changed.useScan()).isFalse();
        assertThat(changed.scanCount()).isEqualTo(500);
        assertThat(changed).isNotEqualTo(original);
        assertThat(original.mutate().build()).isEqualTo(original).hasSameHashCodeAs(original);
        assertThat(original.toString()).contains("useScan=true", "scanCount=500");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -5})
    void countBelowOneWarnsAndFallsBackToTheDefault(int count) {
        try (LogCapture logs = LogCapture.keyscan()) {
            KeyScanOptions options = KeyScanOptions.builder().scanCountAutoTune(false).scanCount(count).build();

            assertThat(options.scanCount()).isEqualTo(KeyScanOptions.DEFAULT_SCAN_COUNT);
            assertThat(logs.warnings()).containsExactly("scanCount=" + count
                    + " is below 1 and Redis rejects it; using the default 10 instead");
        }
    }

    @Test
    void countAboveTenThousandWarnsAndIsKept() {
        try (LogCapture logs = LogCapture.keyscan()) {
            KeyScanOptions options = KeyScanOptions.builder().scanCountAutoTune(false).scanCount(20000).build();

            assertThat(options.scanCount()).isEqualTo(20000);
            assertThat(logs.warnings()).singleElement().asString().startsWith("scanCount=20000 is above 10000");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10, 1000, 10000})
    void countsInRangeDoNotWarn(int count) {
        try (LogCapture logs = LogCapture.keyscan()) {
            KeyScanOptions.builder().scanCountAutoTune(false).scanCount(count).build();
            assertThat(logs.warnings()).isEmpty();
        }
    }

    @Test
    void anExplicitCountThatAutoTuningIgnoresIsPointedOut() {
        try (LogCapture logs = LogCapture.keyscan()) {
            KeyScanOptions.builder().scanCount(500).build();
            assertThat(logs.warnings()).singleElement().asString()
                    .contains("scanCount=500 is ignored while scanCountAutoTune=true");
        }
    }

    @Test
    void settersRejectBadValuesNamingThem() {
        KeyScanOptions.Builder builder = KeyScanOptions.builder();
        assertThatIllegalArgumentException().isThrownBy(() -> builder.commandTimeout(Duration.ZERO))
                .withMessage("commandTimeout must be positive, was PT0S");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.commandTimeout(Duration.ofHours(1)))
                .withMessage("commandTimeout must be at most PT10M, was PT1H");
        assertThatNullPointerException().isThrownBy(() -> builder.commandTimeout(null))
                .withMessage("commandTimeout must not be null");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.retryMaxAttempts(0))
                .withMessage("retryMaxAttempts must be between 1 and 100, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.retryFirstBackoff(Duration.ofMillis(-1)))
                .withMessage("retryFirstBackoff must be zero or positive, was PT-0.001S");
        assertThatIllegalArgumentException().isThrownBy(() -> KeyScanOptions.builder()
                        .retryFirstBackoff(Duration.ofSeconds(5)).retryMaxBackoff(Duration.ofSeconds(1)).build())
                .withMessage("retryMaxBackoff (PT1S) must not be shorter than retryFirstBackoff (PT5S)");
    }

    @Test
    void environmentOverridesEverySetting() {
        KeyScanOptions options = KeyScanOptions.fromEnvironment(Map.of(
                "KEYSCAN_USE_SCAN", "true",
                "KEYSCAN_SCAN_COUNT", "250",
                "KEYSCAN_SCAN_COUNT_AUTO_TUNE", "FALSE",
                "KEYSCAN_DISTINCT_SCAN", "false",
                "KEYSCAN_COMMAND_TIMEOUT", "20s",
                "KEYSCAN_RETRY_MAX_ATTEMPTS", "6",
                "KEYSCAN_RETRY_FIRST_BACKOFF", "250ms",
                "KEYSCAN_RETRY_MAX_BACKOFF", "PT5S",
                "PATH", "/usr/bin"));

        assertThat(options.useScan()).isTrue();
        assertThat(options.scanCount()).isEqualTo(250);
        assertThat(options.scanCountAutoTune()).isFalse();
        assertThat(options.distinctScan()).isFalse();
        assertThat(options.commandTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(options.retryMaxAttempts()).isEqualTo(6);
        assertThat(options.retryFirstBackoff()).isEqualTo(Duration.ofMillis(250));
        assertThat(options.retryMaxBackoff()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void rollbackIsOneVariable() {
        assertThat(KeyScanOptions.fromEnvironment(Map.of("KEYSCAN_USE_SCAN", "false")).useScan()).isFalse();
        assertThat(KeyScanOptions.fromEnvironment(Map.of("KEYSCAN_USE_SCAN", " True ")).useScan()).isTrue();
    }

    @Test
    void emptyVariableCountsAsUnset() {
        assertThat(KeyScanOptions.fromEnvironment(Map.of("KEYSCAN_USE_SCAN", "", "KEYSCAN_SCAN_COUNT", "  ")))
                .isEqualTo(KeyScanOptions.defaults());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "KEYSCAN_USE_SCAN|yes|KEYSCAN_USE_SCAN='yes' is not valid: expected true or false",
        "KEYSCAN_SCAN_COUNT|ten|KEYSCAN_SCAN_COUNT='ten' is not valid: expected a whole number",
        "KEYSCAN_SCAN_COUNT|1e3|KEYSCAN_SCAN_COUNT='1e3' is not valid: expected a whole number",
        "KEYSCAN_SCAN_COUNT_AUTO_TUNE|on|KEYSCAN_SCAN_COUNT_AUTO_TUNE='on' is not valid: expected true or false",
        "KEYSCAN_COMMAND_TIMEOUT|15|KEYSCAN_COMMAND_TIMEOUT='15' is not valid: expected a duration with a unit",
        "KEYSCAN_COMMAND_TIMEOUT|0s|KEYSCAN_COMMAND_TIMEOUT='0s' is not allowed: commandTimeout must be positive",
        "KEYSCAN_COMMAND_TIMEOUT|PTxS|KEYSCAN_COMMAND_TIMEOUT='PTxS' is not valid: expected an ISO-8601 duration",
        "KEYSCAN_RETRY_MAX_ATTEMPTS|0|KEYSCAN_RETRY_MAX_ATTEMPTS='0' is not allowed: retryMaxAttempts must be between",
        "KEYSCAN_RETRY_FIRST_BACKOFF|fast|KEYSCAN_RETRY_FIRST_BACKOFF='fast' is not valid",
        "KEYSCAN_RETRY_MAX_BACKOFF|-1s|KEYSCAN_RETRY_MAX_BACKOFF='-1s' is not valid",
    })
    void malformedValuesNameTheVariableAndTheValue(String name, String value, String message) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> KeyScanOptions.fromEnvironment(Map.of(name, value)))
                .withMessageStartingWith(message);
    }

    @Test
    void misspelledVariableIsWarnedAbout() {
        try (LogCapture logs = LogCapture.keyscan()) {
            KeyScanOptions options = KeyScanOptions.fromEnvironment(Map.of("KEYSCAN_USESCAN", "true"));

            assertThat(options.useScan()).isFalse();
            assertThat(logs.warnings()).singleElement().asString()
                    .contains("[KEYSCAN_USESCAN (did you mean KEYSCAN_USE_SCAN?)]");
        }
    }

    @Test
    void otherProgramsKeyscanVariablesAreLeftAlone() {
        // e.g. the test kit's: far from every name keyscan reads, so not a misspelling of one
        try (LogCapture logs = LogCapture.keyscan()) {
            KeyScanOptions.fromEnvironment(Map.of("KEYSCAN_TEST_REDIS_URL", "redis://localhost:1",
                    "KEYSCAN_REDIS_SERVER", "redis-8.6", "KEYSCAN_SCAN_PARALELISM", "4"));
            assertThat(logs.warnings()).singleElement().asString()
                    .contains("[KEYSCAN_SCAN_PARALELISM (did you mean KEYSCAN_SCAN_PARALLELISM?)]")
                    .doesNotContain("KEYSCAN_TEST_REDIS_URL (").doesNotContain("KEYSCAN_REDIS_SERVER (");
        }
    }

    @Test
    void countWarningsAlsoComeFromTheEnvironment() {
        try (LogCapture logs = LogCapture.keyscan()) {
            KeyScanOptions options = KeyScanOptions.fromEnvironment(Map.of("KEYSCAN_SCAN_COUNT", "-5",
                    "KEYSCAN_SCAN_COUNT_AUTO_TUNE", "false"));
            assertThat(options.scanCount()).isEqualTo(10);
            assertThat(logs.warnings()).singleElement().asString().startsWith("scanCount=-5 is below 1");
        }
    }
}
