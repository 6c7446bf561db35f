package io.keyscan.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * A value that is not allowed fails startup with a message naming the property, the value as written and what is
 * allowed; a malformed one (not a number, not a duration) fails in Spring Boot's binding, naming both too.
 */
class KeyScanValidationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(KeyScanAutoConfiguration.class));

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            keyscan.scan-count-min      | 0      | scanCountMin must be between 1 and 10000, was 0
            keyscan.scan-count-max      | 10001  | scanCountMax must be between 1 and 10000, was 10001
            keyscan.scan-parallelism    | 17     | scanParallelism must be between 0 (automatic) and 16, was 17
            keyscan.scan-parallelism    | -1     | scanParallelism must be between 0 (automatic) and 16, was -1
            keyscan.node-concurrency    | 1025   | nodeConcurrency must be between 0 (all nodes) and 1024, was 1025
            keyscan.retry-max-attempts  | 0      | retryMaxAttempts must be between 1 and 100, was 0
            keyscan.retry-max-attempts  | 101    | retryMaxAttempts must be between 1 and 100, was 101
            keyscan.command-timeout     | 0s     | commandTimeout must be positive, was PT0S
            keyscan.command-timeout     | 11m    | commandTimeout must be at most PT10M, was PT11M
            keyscan.command-timeout     | -5s    | commandTimeout must be positive, was PT-5S
            keyscan.scan-call-budget    | 50us   | scanCallBudget must be at least PT0.0001S, was PT0.00005S
            keyscan.scan-call-budget    | 2s     | scanCallBudget must be at most PT1S, was PT2S
            keyscan.retry-first-backoff | 2m     | retryFirstBackoff must be at most PT1M, was PT2M
            keyscan.retry-max-backoff   | 1h     | retryMaxBackoff must be at most PT10M, was PT1H
            """)
    void aValueOutsideItsRangeFailsStartupNamingThePropertyTheValueAndWhatIsAllowed(String property, String value,
            String reason) {
        runner.withPropertyValues(property + "=" + value).run(context -> {
            assertThat(context).hasFailed();
            InvalidConfigurationPropertyValueException invalid = find(context.getStartupFailure(),
                    InvalidConfigurationPropertyValueException.class);
            assertThat(invalid.getName()).isEqualTo(property);
            assertThat(invalid.getValue()).isEqualTo(value); // as written, not as bound
            assertThat(invalid.getMessage())
                    .isEqualTo("Property " + property + " with value '" + value + "' is invalid: " + reason);
        });
    }

    /** The operator's typo in the environment is named by its property, with the value as the variable holds it. */
    @Test
    void aValueFromAnEnvironmentVariableIsReportedAsWritten() {
        runner.withInitializer(context -> context.getEnvironment().getPropertySources().addFirst(
                        new SystemEnvironmentPropertySource("test-systemEnvironment",
                                Map.of("KEYSCAN_RETRY_FIRST_BACKOFF", "90s"))))
                .run(context -> {
                    assertThat(context).hasFailed();
                    InvalidConfigurationPropertyValueException invalid = find(context.getStartupFailure(),
                            InvalidConfigurationPropertyValueException.class);
                    assertThat(invalid.getMessage()).isEqualTo("Property keyscan.retry-first-backoff with value '90s' "
                            + "is invalid: retryFirstBackoff must be at most PT1M, was PT1M30S");
                });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            keyscan.scan-count-min=600, keyscan.scan-count-max=500             | keyscan.scan-count-min    | 600  | scanCountMin (600) must not be larger than scanCountMax (500)
            keyscan.retry-first-backoff=3s, keyscan.retry-max-backoff=1500ms  | keyscan.retry-max-backoff | 1500ms | retryMaxBackoff (PT1.5S) must not be shorter than retryFirstBackoff (PT3S)
            """)
    void settingsThatContradictEachOtherFailStartupNamingBoth(String properties, String property, String value,
            String reason) {
        runner.withPropertyValues(properties.split(",\\s*")).run(context -> {
            assertThat(context).hasFailed();
            InvalidConfigurationPropertyValueException invalid = find(context.getStartupFailure(),
                    InvalidConfigurationPropertyValueException.class);
            assertThat(invalid.getName()).isEqualTo(property);
            assertThat(invalid.getMessage())
                    .isEqualTo("Property " + property + " with value '" + value + "' is invalid: " + reason);
        });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            keyscan.scan-count          | ten
            keyscan.use-scan            | maybe
            keyscan.command-timeout     | fast
            keyscan.retry-max-attempts  | 4.5
            """)
    void aMalformedValueFailsBindingNamingThePropertyAndTheValue(String property, String value) {
        runner.withPropertyValues(property + "=" + value).run(context -> {
            assertThat(context).hasFailed();
            String messages = messages(context.getStartupFailure());
            assertThat(messages).contains("Failed to bind properties under '" + property + "'").contains(value);
        });
    }

    static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + failure, failure);
    }

    static String messages(Throwable failure) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.add(String.valueOf(t.getMessage()));
        }
        return String.join(" | ", messages);
    }
}
