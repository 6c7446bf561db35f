package io.keyscan;

import org.jspecify.annotations.Nullable;

/**
 * The cluster hash tag every key matching a pattern must have, if the pattern fixes one.
 *
 * <p>Redis Cluster hashes only the part of a key between its first {@code {}} and the next {@code }}, when that
 * part is not empty. A pattern fixes it when its literal prefix (the text before the first unescaped wildcard or
 * class) holds a {@code {}}, a {@code }} after it, and something between: every matching key starts with that
 * prefix, so its first {@code {}} is the prefix's. {@code {user1}:*} fixes {@code user1};
 * {@code *{user1}*} does not (a key may hold another {@code {}} before it). Redis 7.4+ then scans that one
 * slot itself; keyscan sends the pattern only to the node serving it, on any version.
 */
final class HashTag {

    private HashTag() {
    }

    /** The tag {@code pattern} fixes, without its braces; {@code null} if none. */
    static @Nullable String of(String pattern) {
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                prefix.append(pattern.charAt(++i));
            } else if (c == '*' || c == '?' || c == '[') {
                break;
            } else {
                prefix.append(c);
            }
        }
        int open = prefix.indexOf("{");
        if (open < 0) {
            return null;
        }
        int close = prefix.indexOf("}", open + 1);
        if (close < 0 || close == open + 1) {
            return null;
        }
        return prefix.substring(open + 1, close);
    }
}
