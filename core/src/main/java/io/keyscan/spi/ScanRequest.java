package io.keyscan.spi;

import java.util.Objects;

/** The arguments of one SCAN call: {@code SCAN cursor MATCH match COUNT count}. Immutable. */
public final class ScanRequest {

    private final String cursor;
    private final byte[] match;
    private final int count;

    private ScanRequest(String cursor, byte[] match, int count) {
        this.cursor = cursor;
        this.match = match;
        this.count = count;
    }

    /**
     * @param cursor the cursor, an unsigned 64-bit decimal number; {@code "0"} starts an iteration
     * @param match the MATCH pattern as sent, shared and not to be modified
     * @param count the COUNT hint, at least 1
     */
    public static ScanRequest of(String cursor, byte[] match, int count) {
        ScanPage.checkCursor(cursor);
        Objects.requireNonNull(match, "match");
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        return new ScanRequest(cursor, match, count);
    }

    /** The cursor, an unsigned 64-bit decimal number. */
    public String cursor() {
        return cursor;
    }

    /** The MATCH pattern bytes; callers must not modify the array. */
    public byte[] match() {
        return match;
    }

    /** The COUNT hint. */
    public int count() {
        return count;
    }

    @Override
    public String toString() {
        return "SCAN " + cursor + " COUNT " + count;
    }
}
