package io.keyscan.examples.export;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Writes one JSON document (one NDJSON line) straight into UTF-8 bytes. Redis strings that are valid UTF-8 are
 * copied as they are, only {@code "}, {@code \} and control characters escaped, so the text read back encodes to
 * the same bytes; the caller base64-encodes the others ({@link #base64}). Not thread-safe; one per line.
 */
final class JsonWriter {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final Base64.Encoder BASE64 = Base64.getEncoder();
    private static final int MAX_DEPTH = 8;

    private byte[] buffer;
    private int length;
    /** Per open object or array: whether the next member is its first (no comma before it). */
    private final boolean[] first = new boolean[MAX_DEPTH];
    private int depth = -1;
    /** A name was just written: the value that follows takes no comma. */
    private boolean afterName;

    JsonWriter(int initialCapacity) {
        buffer = new byte[Math.max(16, initialCapacity)];
    }

    JsonWriter startObject() {
        return open((byte) '{');
    }

    JsonWriter endObject() {
        return close((byte) '}');
    }

    JsonWriter startArray() {
        return open((byte) '[');
    }

    JsonWriter endArray() {
        return close((byte) ']');
    }

    /** A member name; {@code name} is one of this tool's own ASCII field names. */
    JsonWriter name(String name) {
        separator();
        ascii(name);
        put((byte) ':');
        afterName = true;
        return this;
    }

    /** A member name taken from Redis (a hash field, a zset member): text if valid UTF-8 per the caller. */
    JsonWriter name(byte[] name, boolean base64) {
        separator();
        if (base64) {
            base64Chars(name);
        } else {
            text(name);
        }
        put((byte) ':');
        afterName = true;
        return this;
    }

    JsonWriter value(long number) {
        separator();
        byte[] digits = Long.toString(number).getBytes(StandardCharsets.US_ASCII);
        putAll(digits, digits.length);
        return this;
    }

    JsonWriter value(boolean flag) {
        separator();
        byte[] word = (flag ? "true" : "false").getBytes(StandardCharsets.US_ASCII);
        putAll(word, word.length);
        return this;
    }

    /** An ASCII string of the tool's own (a type name, a stream ID, a score from Redis). */
    JsonWriter value(String ascii) {
        separator();
        ascii(ascii);
        return this;
    }

    /** A Redis string as JSON text; {@code utf8} must be valid UTF-8 ({@link Utf8#isValid}). */
    JsonWriter text(byte[] utf8, boolean base64) {
        separator();
        if (base64) {
            base64Chars(utf8);
        } else {
            text(utf8);
        }
        return this;
    }

    /** Any bytes, as a base64 JSON string. */
    JsonWriter base64(byte[] bytes) {
        separator();
        base64Chars(bytes);
        return this;
    }

    /** The document followed by a newline: one NDJSON line. */
    byte[] toLine() {
        if (depth != -1) {
            throw new IllegalStateException("unclosed object or array");
        }
        byte[] line = Arrays.copyOf(buffer, length + 1);
        line[length] = '\n';
        return line;
    }

    private JsonWriter open(byte bracket) {
        separator();
        put(bracket);
        depth++;
        first[depth] = true;
        return this;
    }

    private JsonWriter close(byte bracket) {
        put(bracket);
        depth--;
        return this;
    }

    private void separator() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (depth >= 0) {
            if (first[depth]) {
                first[depth] = false;
            } else {
                put((byte) ',');
            }
        }
    }

    private void ascii(String text) {
        put((byte) '"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                throw new IllegalArgumentException("not ASCII: " + text);
            }
            escaped((byte) c);
        }
        put((byte) '"');
    }

    private void text(byte[] utf8) {
        ensure(utf8.length + 2);
        put((byte) '"');
        for (byte b : utf8) {
            escaped(b);
        }
        put((byte) '"');
    }

    private void base64Chars(byte[] bytes) {
        byte[] encoded = BASE64.encode(bytes);
        ensure(encoded.length + 2);
        put((byte) '"');
        putAll(encoded, encoded.length);
        put((byte) '"');
    }

    /** One byte of a JSON string: bytes of multi-byte UTF-8 sequences (negative) pass through unchanged. */
    private void escaped(byte b) {
        if (b == '"' || b == '\\') {
            put((byte) '\\');
            put(b);
        } else if (b >= 0 && b < 0x20) {
            switch (b) {
                case '\n':
                    put((byte) '\\');
                    put((byte) 'n');
                    break;
                case '\r':
                    put((byte) '\\');
                    put((byte) 'r');
                    break;
                case '\t':
                    put((byte) '\\');
                    put((byte) 't');
                    break;
                default:
                    put((byte) '\\');
                    put((byte) 'u');
                    put((byte) '0');
                    put((byte) '0');
                    put(HEX[b >> 4]);
                    put(HEX[b & 0xf]);
            }
        } else {
            put(b);
        }
    }

    private void put(byte b) {
        if (length == buffer.length) {
            ensure(1);
        }
        buffer[length++] = b;
    }

    private void putAll(byte[] bytes, int count) {
        ensure(count);
        System.arraycopy(bytes, 0, buffer, length, count);
        length += count;
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }
}
