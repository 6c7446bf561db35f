package io.keyscan.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** The arithmetic and number formatting of the KEYS-vs-SCAN benchmark: pure functions, unit-tested. */
final class Stats {

    private Stats() {
    }

    /** The median: the middle value, or the mean of the two middle values of an even count. */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("the median of no values");
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    /** {@code value / keysValue}: how many times KEYS' time a path took (below 1: faster than KEYS). */
    static double ratio(double value, double keysValue) {
        if (!(keysValue > 0)) {
            throw new IllegalArgumentException("KEYS' median must be positive, was " + keysValue);
        }
        return value / keysValue;
    }

    /** The {@code percentile} (0-100) of round trips recorded in nanoseconds, in milliseconds; 0 when none. */
    static double percentileMillis(Histogram nanos, double percentile) {
        return nanos.getTotalCount() == 0 ? 0 : nanos.getValueAtPercentile(percentile) / 1e6;
    }

    /** {@code value} with exactly {@code decimals} decimals, a dot as separator, no grouping. */
    static String fixed(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** A whole number as is, anything else with one decimal: {@code 1000}, {@code 1000.4}. */
    static String calls(double value) {
        double rounded = Math.round(value * 10) / 10.0;
        return rounded == Math.rint(rounded) ? Long.toString((long) rounded) : fixed(rounded, 1);
    }

    /** A field of RFC 4180 CSV: quoted when it holds a comma, a quote or a line break. */
    static String csvField(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    /** Milliseconds for people: {@code 0.42 ms}, {@code 12.3 ms}, {@code 1,234 ms}. */
    static String millis(double ms) {
        if (ms < 10) {
            return fixed(ms, 2);
        }
        if (ms < 100) {
            return fixed(ms, 1);
        }
        return String.format(Locale.ROOT, "%,d", Math.round(ms));
    }

    /** A duration as {@code 1h02m03s}, {@code 12m03s} or {@code 4.2s}. */
    static String duration(long nanos) {
        double seconds = nanos / 1e9;
        if (seconds < 60) {
            return fixed(seconds, 1) + "s";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
