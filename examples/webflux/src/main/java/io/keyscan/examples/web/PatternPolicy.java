package io.keyscan.examples.web;

import io.keyscan.Patterns;
import java.util.Objects;

/**
 * Which patterns the endpoints accept: those within keyscan's limits ({@link Patterns#validate(String)}) whose
 * literal beginning starts with the allowed prefix, so that no request can list keys outside its namespace.
 *
 * <p>The literal beginning of a pattern is what it matches before its first wildcard ({@code *}, {@code ?} or
 * {@code [}), with escapes removed: {@code app:user\*1*} begins with {@code app:user*1}. A pattern whose first
 * wildcard comes before the prefix ends ({@code app*}, {@code ap?:x}, {@code [a]pp:x}) could match keys outside it,
 * and is refused even when it happens to match none.
 */
final class PatternPolicy {

    private final String allowedPrefix;

    /** @param allowedPrefix the literal text every listed key must start with; empty allows every pattern */
    PatternPolicy(String allowedPrefix) {
        this.allowedPrefix = Objects.requireNonNull(allowedPrefix, "allowedPrefix");
    }

    String allowedPrefix() {
        return allowedPrefix;
    }

    /**
     * Returns {@code pattern} if the endpoints may list it.
     *
     * @throws InvalidRequestException naming the pattern and the rule it breaks
     */
    String check(String pattern) {
        try {
            Patterns.validate(pattern);
        } catch (IllegalArgumentException e) {
            // keyscan's message names the pattern (abbreviated), the limit and why it exists
            throw new InvalidRequestException(e.getMessage(), e);
        }
        if (!literalBeginning(pattern).startsWith(allowedPrefix)) {
            throw new InvalidRequestException("pattern " + quote(pattern) + " must start with the allowed prefix "
                    + quote(allowedPrefix) + " literally (no '*', '?' or '[' before the prefix ends), e.g. "
                    + quote(Patterns.escape(allowedPrefix) + "*"));
        }
        return pattern;
    }

    /**
     * What {@code pattern} matches literally before its first unescaped {@code *}, {@code ?} or {@code [}, escapes
     * removed. A trailing lone backslash is a literal backslash, as Redis reads it.
     */
    static String literalBeginning(String pattern) {
        StringBuilder literal = new StringBuilder(Math.min(pattern.length(), 256));
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' || c == '?' || c == '[') {
                break;
            }
            if (c == '\\' && i + 1 < pattern.length()) {
                c = pattern.charAt(++i);
            }
            literal.append(c);
        }
        return literal.toString();
    }

    /** A value for a message, quoted, and cut short when long (patterns may be 16 KiB). */
    static String quote(String value) {
        return value.length() <= 80 ? "'" + value + "'"
                : "'" + value.substring(0, 80) + "...' (" + value.length() + " chars)";
    }
}
