package io.keyscan.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The arguments of one SCAN call: {@code SCAN cursor MATCH match COUNT count [TYPE type]}. Immutable. */
public final class ScanRequest {

    private final String cursor;
    private final byte[] match;
    private final int count;
    private final @Nullable String type;

    private ScanRequest(String cursor, byte[] match, int count, @Nullable String type) {
        this.cursor = cursor;
        this.match = match;
        this.count = count;
        this.type = type;
    }

    /**
     * @param cursor the cursor, an unsigned 64-bit decimal number; {@code "0"} starts an iteration
     * @param match the MATCH pattern as sent, shared and not to be modified
     * @param count the COUNT hint, at least 1
     * @return the request
     */
    public static ScanRequest of(String cursor, byte[] match, int count) {
        return of(cursor, match, count, null);
    }

    /**
     * @param cursor the cursor, an unsigned 64-bit decimal number; {@code "0"} starts an iteration
     * @param match the MATCH pattern as sent, shared and not to be modified
     * @param count the COUNT hint, at least 1
     * @param type the TYPE argument (Redis 6.0+), e.g. {@code hash}; {@code null} for none
     * @return the request
     */
    public static ScanRequest of(String cursor, byte[] match, int count, @Nullable String type) {
        ScanPage.checkCursor(cursor);
        Objects.requireNonNull(match, "match");
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        return new ScanRequest(cursor, match, count, type);
    }

    /** {@return the cursor, an unsigned 64-bit decimal number} */
    public String cursor() {
        return cursor;
    }

    /** {@return the MATCH pattern bytes; callers must not modify the array} */
    public byte[] match() {
        return match;
    }

    /** {@return the COUNT hint} */
    public int count() {
        return count;
    }

    /** {@return the TYPE argument to send, or {@code null} for none} */
    public @Nullable String type() {
        return type;
    }

    @Override
    public String toString() {
        return "SCAN " + cursor + " COUNT " + count + (type == null ? "" : " TYPE " + type);
    }
}
