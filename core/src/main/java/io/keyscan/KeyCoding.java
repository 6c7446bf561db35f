package io.keyscan;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Turning raw keys into {@link String}s without altering them, and the sorted, distinct list both paths return. */
final class KeyCoding {

    private KeyCoding() {
    }

    /**
     * Decodes a key as UTF-8, refusing keys that are not valid UTF-8: a replacement character would name a key
     * that does not exist, so such a key ends the listing with an error instead of being silently changed.
     */
    static String decode(byte[] key, String pattern) {
        String decoded = new String(key, StandardCharsets.UTF_8);
        // The fast decoder replaces malformed input with U+FFFD; only then is the strict check needed.
        if (decoded.indexOf('\uFFFD') >= 0 && !isValidUtf8(key)) {
            throw new KeyScanException("key " + printable(key) + " matching pattern " + Patterns.abbreviate(pattern)
                    + " is not valid UTF-8, so it cannot be returned as a String without changing it", pattern, null,
                    1, null);
        }
        return decoded;
    }

    /** Decodes a value as UTF-8, refusing values that are not valid UTF-8, as {@link #decode} does for keys. */
    static String decodeValue(byte[] value, String key, String pattern) {
        String decoded = new String(value, StandardCharsets.UTF_8);
        if (decoded.indexOf('\uFFFD') >= 0 && !isValidUtf8(value)) {
            throw new KeyScanException("the value of key " + printable(key.getBytes(StandardCharsets.UTF_8))
                    + " is not valid UTF-8, so it cannot be returned as a String without changing it", pattern, null,
                    1, null);
        }
        return decoded;
    }

    static List<String> decodeAll(List<byte[]> keys, String pattern) {
        List<String> decoded = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            decoded.add(decode(key, pattern));
        }
        return decoded;
    }

    /** Natural {@link String} order. */
    static final Comparator<String> STRING_ORDER = Comparator.naturalOrder();

    /** Unsigned byte order, as {@code memcmp} and Redis compare keys. */
    static final Comparator<byte[]> BYTE_ORDER = Arrays::compareUnsigned;

    /**
     * Sorts by {@code order} and removes duplicates, in place. Two keys are duplicates when {@code order}
     * compares them equal, which for both orders above means equal content.
     */
    static <T> List<T> sortedDistinct(List<T> keys, Comparator<? super T> order) {
        keys.sort(order);
        int kept = 0;
        for (int i = 0; i < keys.size(); i++) {
            T key = keys.get(i);
            if (kept == 0 || order.compare(key, keys.get(kept - 1)) != 0) {
                keys.set(kept++, key);
            }
        }
        keys.subList(kept, keys.size()).clear();
        return keys;
    }

    static boolean isValidUtf8(byte[] key) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(key));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** A key for messages: printable ASCII as is, other bytes as {@code \xNN}, long keys cut. */
    static String printable(byte[] key) {
        StringBuilder out = new StringBuilder("\"");
        int shown = Math.min(key.length, 64);
        for (int i = 0; i < shown; i++) {
            int b = key[i] & 0xff;
            if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
                out.append((char) b);
            } else {
                out.append(String.format("\\x%02x", b));
            }
        }
        out.append('"');
        if (shown < key.length) {
            out.append("... (").append(key.length).append(" bytes)");
        }
        return out.toString();
    }
}
