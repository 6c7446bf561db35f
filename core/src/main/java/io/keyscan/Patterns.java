package io.keyscan;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Redis glob patterns: escaping user input, and the limits keyscan enforces before a pattern is sent.
 *
 * <p>Redis matches patterns byte by byte ({@code util.c stringmatchlen}): {@code *} any run of bytes,
 * {@code ?} one byte, {@code [abc]}, {@code [^abc]}, {@code [a-z]} one byte of a class, and {@code \}
 * escapes the next byte, inside brackets too. Matching is case-sensitive. Patterns are sent as UTF-8.
 *
 * <p>Limits, checked by {@link #validate(String)} and by every {@link KeyScanner} method before anything is
 * sent, because the server either burns CPU on such patterns or silently matches nothing
 * (CVE-2022-36021: backtracking on many stars; CVE-2024-31228: unbounded recursion on long patterns, fixed
 * by a nesting cap beyond which a match silently fails):
 * <ul>
 *   <li>at most {@value #MAX_PATTERN_BYTES} bytes in UTF-8;</li>
 *   <li>at most {@value #MAX_STARS} unescaped {@code *} wildcards, a run such as {@code **} counting once
 *       (Redis collapses it); {@code ?} and bracket classes match one byte and cost no backtracking, so they
 *       are not limited;</li>
 *   <li>no unpaired UTF-16 surrogate, which has no UTF-8 form (Java would send {@code ?} in its place, a
 *       wildcard).</li>
 * </ul>
 *
 * <p>These limits are defence in depth, not a cure: on a server without the CVE-2022-36021 fix (before 6.0.18,
 * 6.2.11, 7.0.9) even three wildcards can backtrack for long against a long key. Run a fixed Redis, and escape
 * user input so that it cannot add wildcards at all. A {@code *} inside a bracket class ({@code [*]}) is counted
 * too, which errs on the safe side.
 */
public final class Patterns {

    /** The longest pattern accepted, in UTF-8 bytes. Large enough for a literal 10 kB key. */
    public static final int MAX_PATTERN_BYTES = 16 * 1024;

    /** The most unescaped {@code *} wildcards accepted in one pattern (a run counts once). */
    public static final int MAX_STARS = 10;

    private Patterns() {
    }

    /**
     * Turns arbitrary text into a pattern that matches exactly that text and nothing else, by putting a
     * backslash before each of {@code \ * ? [ ]}. Use it for every fragment of user input spliced into a
     * pattern: {@code "performance|*|request_id|" + Patterns.escape(id) + "|*"}. Without it, an input of
     * {@code *} would list every key.
     *
     * @param literal the text to match literally
     * @return the escaped pattern
     */
    public static String escape(String literal) {
        Objects.requireNonNull(literal, "literal");
        StringBuilder escaped = null;
        for (int i = 0; i < literal.length(); i++) {
            char c = literal.charAt(i);
            if (isGlobSpecial(c)) {
                if (escaped == null) {
                    escaped = new StringBuilder(literal.length() + 8).append(literal, 0, i);
                }
                escaped.append('\\');
            }
            if (escaped != null) {
                escaped.append(c);
            }
        }
        return escaped == null ? literal : escaped.toString();
    }

    /**
     * Checks {@code pattern} against keyscan's limits.
     *
     * @param pattern a Redis glob pattern
     * @return {@code pattern}
     * @throws NullPointerException if {@code pattern} is {@code null}
     * @throws IllegalArgumentException naming the limit the pattern exceeds
     */
    public static String validate(String pattern) {
        encode(pattern);
        return pattern;
    }

    /**
     * Whether {@code pattern} has no unescaped wildcard or class, i.e. it matches exactly one key. An escaped
     * pattern such as {@code a\*b} is literal and matches the key {@code a*b}.
     */
    static boolean isLiteral(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '*' || c == '?' || c == '[') {
                return false;
            }
        }
        return true;
    }

    /**
     * The key a literal pattern ({@link #isLiteral}) names: escapes removed. A trailing lone backslash is a
     * literal backslash, as Redis reads it.
     */
    static String literalKey(String pattern) {
        StringBuilder key = new StringBuilder(pattern.length());
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                c = pattern.charAt(++i);
            }
            key.append(c);
        }
        return key.toString();
    }

    /** The pattern as UTF-8 bytes, after checking the limits. */
    static byte[] encode(String pattern) {
        if (pattern == null) {
            throw new NullPointerException("pattern must not be null");
        }
        int stars = 0;
        boolean previousStar = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
                previousStar = false;
            } else if (c == '*') {
                if (!previousStar) {
                    stars++;
                }
                previousStar = true;
            } else {
                previousStar = false;
            }
        }
        if (stars > MAX_STARS) {
            throw new IllegalArgumentException("pattern has " + stars + " '*' wildcards, more than the " + MAX_STARS
                    + " allowed (many wildcards make Redis backtrack, CVE-2022-36021): " + abbreviate(pattern));
        }
        byte[] bytes = strictUtf8(pattern);
        if (bytes.length > MAX_PATTERN_BYTES) {
            throw new IllegalArgumentException("pattern is " + bytes.length + " bytes long, more than the "
                    + MAX_PATTERN_BYTES + " allowed (CVE-2024-31228): " + abbreviate(pattern));
        }
        return bytes;
    }

    private static byte[] strictUtf8(String pattern) {
        // Fast path: String.getBytes replaces an unpaired surrogate with '?', a wildcard, so check first.
        for (int i = 0; i < pattern.length(); i++) {
            if (Character.isSurrogate(pattern.charAt(i))) {
                return strictUtf8Slow(pattern);
            }
        }
        return pattern.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] strictUtf8Slow(String pattern) {
        try {
            ByteBuffer buffer = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(pattern));
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("pattern contains an unpaired UTF-16 surrogate, which has no UTF-8 "
                    + "form: " + abbreviate(pattern), e);
        }
    }

    private static boolean isGlobSpecial(char c) {
        return c == '\\' || c == '*' || c == '?' || c == '[' || c == ']';
    }

    /** The start of a long pattern, for messages. */
    static String abbreviate(String pattern) {
        return pattern.length() <= 80 ? "'" + pattern + "'" : "'" + pattern.substring(0, 80) + "...' ("
                + pattern.length() + " chars)";
    }
}
