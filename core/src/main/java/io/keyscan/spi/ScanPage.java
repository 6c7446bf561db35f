package io.keyscan.spi;

import java.util.List;
import java.util.Objects;

/** The reply to one SCAN call: the next cursor and the keys of this page. Immutable. */
public final class ScanPage {

    /** The cursor that starts an iteration and, returned by the server, ends it. */
    public static final String FIRST_CURSOR = "0";

    private final String cursor;
    private final List<byte[]> keys;

    private ScanPage(String cursor, List<byte[]> keys) {
        this.cursor = cursor;
        this.keys = keys;
    }

    /**
     * @param cursor the next cursor as the server sent it; {@code "0"} when the iteration is complete
     * @param keys the keys of this page, possibly none; the list is kept, not copied, and must not change
     * @return the page
     */
    public static ScanPage of(String cursor, List<byte[]> keys) {
        checkCursor(cursor);
        Objects.requireNonNull(keys, "keys");
        return new ScanPage(cursor, keys);
    }

    /** {@return the next cursor} */
    public String cursor() {
        return cursor;
    }

    /** {@return the keys of this page, possibly none} */
    public List<byte[]> keys() {
        return keys;
    }

    /** {@return whether the server ended the iteration with this page} */
    public boolean isLast() {
        return FIRST_CURSOR.equals(cursor);
    }

    @Override
    public String toString() {
        return "ScanPage{cursor=" + cursor + ", keys=" + keys.size() + '}';
    }

    /** A SCAN cursor is an unsigned 64-bit decimal number: at most 20 digits. */
    static void checkCursor(String cursor) {
        Objects.requireNonNull(cursor, "cursor");
        int length = cursor.length();
        if (length == 0 || length > 20) {
            throw new IllegalArgumentException("cursor must be an unsigned 64-bit decimal number, was '" + cursor + "'");
        }
        for (int i = 0; i < length; i++) {
            char c = cursor.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("cursor must be an unsigned 64-bit decimal number, was '" + cursor
                        + "'");
            }
        }
    }
}
