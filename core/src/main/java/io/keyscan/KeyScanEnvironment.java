package io.keyscan;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reading {@link KeyScanOptions} from {@code KEYSCAN_*} environment variables: their names, their parsers (every
 * error names the variable and the value), and the warning about a misspelt name.
 */
final class KeyScanEnvironment {

    private static final Logger log = LoggerFactory.getLogger(KeyScanEnvironment.class);

    static final String ENV_PREFIX = "KEYSCAN_";
    static final String ENV_USE_SCAN = "KEYSCAN_USE_SCAN";
    static final String ENV_SCAN_COUNT = "KEYSCAN_SCAN_COUNT";
    static final String ENV_SCAN_COUNT_AUTO_TUNE = "KEYSCAN_SCAN_COUNT_AUTO_TUNE";
    static final String ENV_SCAN_CALL_BUDGET = "KEYSCAN_SCAN_CALL_BUDGET";
    static final String ENV_SCAN_COUNT_MIN = "KEYSCAN_SCAN_COUNT_MIN";
    static final String ENV_SCAN_COUNT_MAX = "KEYSCAN_SCAN_COUNT_MAX";
    static final String ENV_SCAN_PARALLELISM = "KEYSCAN_SCAN_PARALLELISM";
    static final String ENV_NODE_CONCURRENCY = "KEYSCAN_NODE_CONCURRENCY";
    static final String ENV_READ_FROM_REPLICAS = "KEYSCAN_READ_FROM_REPLICAS";
    static final String ENV_DISTINCT_SCAN = "KEYSCAN_DISTINCT_SCAN";
    static final String ENV_DISTINCT_MEMORY_LIMIT = "KEYSCAN_DISTINCT_MEMORY_LIMIT";
    static final String ENV_COMMAND_TIMEOUT = "KEYSCAN_COMMAND_TIMEOUT";
    static final String ENV_RETRY_MAX_ATTEMPTS = "KEYSCAN_RETRY_MAX_ATTEMPTS";
    static final String ENV_RETRY_FIRST_BACKOFF = "KEYSCAN_RETRY_FIRST_BACKOFF";
    static final String ENV_RETRY_MAX_BACKOFF = "KEYSCAN_RETRY_MAX_BACKOFF";

    static final Set<String> KNOWN = Set.of(ENV_USE_SCAN, ENV_SCAN_COUNT, ENV_SCAN_COUNT_AUTO_TUNE,
            ENV_SCAN_CALL_BUDGET, ENV_SCAN_COUNT_MIN, ENV_SCAN_COUNT_MAX, ENV_SCAN_PARALLELISM, ENV_NODE_CONCURRENCY,
            ENV_READ_FROM_REPLICAS, ENV_DISTINCT_SCAN, ENV_DISTINCT_MEMORY_LIMIT,
            ENV_COMMAND_TIMEOUT, ENV_RETRY_MAX_ATTEMPTS, ENV_RETRY_FIRST_BACKOFF, ENV_RETRY_MAX_BACKOFF);

    /** A name this close (in edits) to a known one is taken for a misspelling of it. */
    static final int MISSPELLING_DISTANCE = 3;

    private static final Pattern DATA_SIZE = Pattern.compile("(\\d{1,15})\\s*(b|kb|mb|gb|tb)?");

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d{1,12})\\s*(us|ms|s|m|h)");

    private KeyScanEnvironment() {
    }

    /**
     * Applies the {@code KEYSCAN_*} entries of {@code environment} to {@code builder}. A {@code KEYSCAN_*} name that
     * keyscan does not read but that is within {@value #MISSPELLING_DISTANCE} edits of one it does is logged at
     * WARN with the name it resembles (a typo must not go unnoticed); other {@code KEYSCAN_*} names belong to
     * someone else (a test kit, a deployment's own settings) and are left alone.
     */
    static void apply(Map<String, String> environment, KeyScanOptions.Builder builder) {
        TreeSet<String> misspelt = new TreeSet<>();
        for (String name : environment.keySet()) {
            if (name.startsWith(ENV_PREFIX) && !KNOWN.contains(name)) {
                String nearest = nearestKnown(name);
                if (nearest != null) {
                    misspelt.add(name + " (did you mean " + nearest + "?)");
                }
            }
        }
        if (!misspelt.isEmpty()) {
            log.warn("Ignoring unknown environment variables {}; keyscan reads {}", misspelt, new TreeSet<>(KNOWN));
        }
        read(environment, ENV_USE_SCAN, KeyScanEnvironment::parseBoolean, builder::useScan);
        read(environment, ENV_SCAN_COUNT, KeyScanEnvironment::parseInt, builder::scanCount);
        read(environment, ENV_SCAN_COUNT_AUTO_TUNE, KeyScanEnvironment::parseBoolean,
                builder::scanCountAutoTune);
        read(environment, ENV_SCAN_CALL_BUDGET, KeyScanEnvironment::parseDuration,
                builder::scanCallBudget);
        read(environment, ENV_SCAN_COUNT_MIN, KeyScanEnvironment::parseInt,
                builder::scanCountMin);
        read(environment, ENV_SCAN_COUNT_MAX, KeyScanEnvironment::parseInt,
                builder::scanCountMax);
        read(environment, ENV_SCAN_PARALLELISM, KeyScanEnvironment::parseInt,
                builder::scanParallelism);
        read(environment, ENV_NODE_CONCURRENCY, KeyScanEnvironment::parseInt,
                builder::nodeConcurrency);
        read(environment, ENV_READ_FROM_REPLICAS, KeyScanEnvironment::parseBoolean,
                builder::readFromReplicas);
        read(environment, ENV_DISTINCT_SCAN, KeyScanEnvironment::parseBoolean,
                builder::distinctScan);
        read(environment, ENV_DISTINCT_MEMORY_LIMIT, KeyScanEnvironment::parseDataSize,
                builder::distinctMemoryLimit);
        read(environment, ENV_COMMAND_TIMEOUT, KeyScanEnvironment::parseDuration,
                builder::commandTimeout);
        read(environment, ENV_RETRY_MAX_ATTEMPTS, KeyScanEnvironment::parseInt,
                builder::retryMaxAttempts);
        read(environment, ENV_RETRY_FIRST_BACKOFF, KeyScanEnvironment::parseDuration,
                builder::retryFirstBackoff);
        read(environment, ENV_RETRY_MAX_BACKOFF, KeyScanEnvironment::parseDuration,
                builder::retryMaxBackoff);
    }

    /** The known name within {@link #MISSPELLING_DISTANCE} edits of {@code name}, the nearest; else null. */
    static @org.jspecify.annotations.Nullable String nearestKnown(String name) {
        @org.jspecify.annotations.Nullable String nearest = null;
        int best = MISSPELLING_DISTANCE + 1;
        for (String known : new TreeSet<>(KNOWN)) {
            int distance = editDistance(name, known);
            if (distance < best) {
                best = distance;
                nearest = known;
            }
        }
        return nearest;
    }

    /** Levenshtein distance: insertions, deletions and substitutions. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    interface Parser<T> {
        T parse(String value);
    }

    static <T> void read(Map<String, String> environment, String name, Parser<T> parser,
            Consumer<T> setter) {
        String raw = environment.get(name);
        if (raw == null || raw.isBlank()) {
            return;
        }
        String value = raw.trim();
        T parsed;
        try {
            parsed = parser.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + "='" + raw + "' is not valid: " + e.getMessage(), e);
        }
        try {
            setter.accept(parsed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + "='" + raw + "' is not allowed: " + e.getMessage(), e);
        }
    }

    static Boolean parseBoolean(String value) {
        if (value.equalsIgnoreCase("true")) {
            return Boolean.TRUE;
        }
        if (value.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
        }
        throw new IllegalArgumentException("expected true or false");
    }

    static Integer parseInt(String value) {
        try {
            return Integer.valueOf(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number", e);
        }
    }

    /** Bytes: a whole number with an optional unit B, KB, MB, GB or TB (powers of 1024, as Spring's DataSize). */
    static Long parseDataSize(String value) {
        Matcher m = DATA_SIZE.matcher(value.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a size such as 64MB, 512KB, 2GB or a number of bytes");
        }
        long amount = Long.parseLong(m.group(1));
        int shift = m.group(2) == null ? 0 : java.util.List.of("b", "kb", "mb", "gb", "tb").indexOf(m.group(2)) * 10;
        if (shift > 0 && amount > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("the size is too large");
        }
        return amount << shift;
    }

    static Duration parseDuration(String value) {
        Matcher m = SIMPLE_DURATION.matcher(value.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            switch (m.group(2)) {
                case "us":
                    return Duration.ofNanos(amount * 1_000);
                case "ms":
                    return Duration.ofMillis(amount);
                case "s":
                    return Duration.ofSeconds(amount);
                case "m":
                    return Duration.ofMinutes(amount);
                default:
                    return Duration.ofHours(amount);
            }
        }
        if (value.startsWith("P") || value.startsWith("p")) {
            try {
                return Duration.parse(value);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("expected an ISO-8601 duration such as PT15S", e);
            }
        }
        throw new IllegalArgumentException("expected a duration with a unit (500us, 500ms, 15s, 2m, 1h) or ISO-8601 (PT15S)");
    }
}
