package io.keyscan;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What kind of listing a pattern asks for, which decides how it is answered and the COUNT its SCAN starts with.
 *
 * <p>The rule, applied in this order to the pattern's literal runs (the text between unescaped wildcards, with
 * escapes removed):
 * <ol>
 *   <li>{@link #LITERAL}: no unescaped {@code *}, {@code ?} or {@code [} at all. It names one key, so it is
 *       answered with one {@code EXISTS}, on both paths.</li>
 *   <li>{@link #MATCH_ALL}: nothing but {@code *} characters.</li>
 *   <li>{@link #DATE_SCOPED}: a literal run holds a date stamp: eight digits forming a date from 1970-01-01 to
 *       2199-12-31 ({@code 20260204}) or an ISO date ({@code 2026-02-04}), not part of a longer digit run (so an
 *       epoch such as {@code 1770182580} is not a date).</li>
 *   <li>{@link #LOOKUP}: a literal run holds a long identifier: 16 or more characters of {@code [A-Za-z0-9_-]}
 *       with at least one digit, such as a request id or a UUID.</li>
 *   <li>{@link #BROAD}: everything else.</li>
 * </ol>
 *
 * <p>SCAN's COUNT is work per call counted before MATCH filters, so the class does not predict how many keys a
 * call returns; it predicts how much server time a call costs per COUNT: matching a pattern with a leading
 * {@code *} against rails_performance keys costs about 1.0-1.3 us a key, a prefix pattern or {@code *} about
 * 0.65-0.75 us (measured, Redis 7.0, one million keys; see {@code docs/tuning.md}).
 *
 * <p>Public so that integrations can tag a listing with its class (the Spring Boot starter's {@code keyscan.listing}
 * observation does): five values, whatever the pattern, so it is safe as a low-cardinality tag.
 */
public enum QueryClass {

    /** One exact key: {@code EXISTS}, no iteration. */
    LITERAL(0),
    /** {@code *}: every key; large replies, so a moderate COUNT. */
    MATCH_ALL(1000),
    /** A date stamp fixes part of the key, e.g. {@code performance|*datetime|20260204*|*END|1.0.2}. */
    DATE_SCOPED(1400),
    /** A long identifier fixes the key, e.g. {@code performance|*|request_id|4f1d66a29c7dbd2a|*}. */
    LOOKUP(1400),
    /** Anything else, e.g. {@code performance|controller|UsersController|*}. */
    BROAD(2000);

    /**
     * The COUNT of the first SCAN call under auto-tuning: about 1.5 ms of server time (three quarters of the
     * default 2 ms budget) at the per-key costs measured for the class; the tuner adapts from there.
     */
    final int startCount;

    QueryClass(int startCount) {
        this.startCount = startCount;
    }

    /**
     * Classifies {@code pattern} by the rule above. The pattern is not validated here (see
     * {@link Patterns#validate(String)}).
     *
     * @param pattern a Redis glob pattern
     * @return its class
     */
    public static QueryClass of(String pattern) {
        Objects.requireNonNull(pattern, "pattern must not be null");
        if (Patterns.isLiteral(pattern)) {
            return LITERAL;
        }
        if (isMatchAll(pattern)) {
            return MATCH_ALL;
        }
        boolean lookup = false;
        for (String run : literalRuns(pattern)) {
            if (hasDateStamp(run)) {
                return DATE_SCOPED;
            }
            lookup |= hasLongIdentifier(run);
        }
        return lookup ? LOOKUP : BROAD;
    }

    private static boolean isMatchAll(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            if (pattern.charAt(i) != '*') {
                return false;
            }
        }
        return !pattern.isEmpty();
    }

    /** The text between unescaped wildcards and classes, escapes removed. */
    static List<String> literalRuns(String pattern) {
        List<String> runs = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                run.append(pattern.charAt(++i));
            } else if (c == '*' || c == '?') {
                flush(runs, run);
            } else if (c == '[') {
                flush(runs, run);
                i = endOfClass(pattern, i);
            } else {
                run.append(c);
            }
        }
        flush(runs, run);
        return runs;
    }

    private static void flush(List<String> runs, StringBuilder run) {
        if (run.length() > 0) {
            runs.add(run.toString());
            run.setLength(0);
        }
    }

    /** Index of the {@code ]} closing the class opened at {@code open}, as Redis reads it (or the end). */
    private static int endOfClass(String pattern, int open) {
        int i = open + 1;
        if (i < pattern.length() && pattern.charAt(i) == '^') {
            i++;
        }
        for (; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == ']') {
                return i;
            }
        }
        return pattern.length() - 1;
    }

    static boolean hasDateStamp(String run) {
        // yyyyMMdd: a maximal run of exactly eight digits
        int runStart = -1;
        for (int i = 0; i <= run.length(); i++) {
            boolean digit = i < run.length() && isDigit(run.charAt(i));
            if (digit && runStart < 0) {
                runStart = i;
            } else if (!digit && runStart >= 0) {
                if (i - runStart == 8 && isDate(run, runStart, runStart + 4, runStart + 6)) {
                    return true;
                }
                runStart = -1;
            }
        }
        // yyyy-MM-dd, not touching other digits
        for (int i = 0; i + 10 <= run.length(); i++) {
            if (allDigits(run, i, i + 4) && run.charAt(i + 4) == '-' && allDigits(run, i + 5, i + 7)
                    && run.charAt(i + 7) == '-' && allDigits(run, i + 8, i + 10)
                    && (i == 0 || !isDigit(run.charAt(i - 1)))
                    && (i + 10 == run.length() || !isDigit(run.charAt(i + 10)))
                    && isDate(run, i, i + 5, i + 8)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDate(String text, int year, int month, int day) {
        int y = Integer.parseInt(text.substring(year, year + 4));
        int m = Integer.parseInt(text.substring(month, month + 2));
        int d = Integer.parseInt(text.substring(day, day + 2));
        return y >= 1970 && y <= 2199 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
    }

    static boolean hasLongIdentifier(String run) {
        int length = 0;
        boolean digit = false;
        for (int i = 0; i <= run.length(); i++) {
            char c = i < run.length() ? run.charAt(i) : ' ';
            if (isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-') {
                length++;
                digit |= isDigit(c);
            } else {
                if (length >= 16 && digit) {
                    return true;
                }
                length = 0;
                digit = false;
            }
        }
        return false;
    }

    private static boolean allDigits(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isDigit(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
