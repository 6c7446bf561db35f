package io.keyscan.examples.export;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A byte string with value equality, for comparing keyspaces in tests. */
record Bytes(byte[] bytes) implements Comparable<Bytes> {

    static Bytes of(String text) {
        return new Bytes(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Bytes that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(Bytes other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public String toString() {
        return bytes.length > 64 ? Keys.show(Arrays.copyOf(bytes, 64)) + "...(" + bytes.length + " bytes)"
                : Keys.show(bytes);
    }
}
