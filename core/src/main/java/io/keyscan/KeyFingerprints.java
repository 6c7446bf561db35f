package io.keyscan;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;

/**
 * The set of keys one {@link KeyScanner#scan(String)} subscription has emitted, kept as 128-bit fingerprints
 * (16 bytes a key, about 24-32 MB per million keys with the table's free space) instead of the keys
 * themselves, so that {@code scan} can stay distinct across SCAN's own duplicates and across a rescan after
 * a server restart.
 *
 * <p>Fingerprints are SipHash-2-4 with a 128-bit output under a random secret key drawn for each set: nobody
 * can craft keys that collide, and two distinct keys share a fingerprint with probability about
 * {@code n^2 / 2^129} (below 10^-26 for a billion keys), which is what "distinct" rests on here.
 *
 * <p>Open addressing with linear probing over two parallel {@code long} arrays; the all-zero fingerprint
 * marks a free slot. The set is cut into {@value #SEGMENTS} such tables by the fingerprint's top bits, each grown
 * on its own: growing one table holds its old and new arrays at once, and a single table would briefly need
 * three times its live size (64 bytes a key); a segment's growth adds only a sixty-fourth of that. Not
 * thread-safe: a Flux's signals are serial.
 */
final class KeyFingerprints {

    private static final SecureRandom SEEDS = new SecureRandom();
    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Tables the set is cut into, chosen by a fingerprint's top six bits; a power of two. */
    static final int SEGMENTS = 64;
    private static final int INITIAL_SEGMENT_CAPACITY = 16;

    private final long k0;
    private final long k1;
    private final String pattern;
    private final long limit;
    private final ScannerMemory.Share share;
    /** Bytes of the tables' arrays. */
    private long bytes;
    private final long[][] high = new long[SEGMENTS][];
    private final long[][] low = new long[SEGMENTS][];
    private final int[] sizes = new int[SEGMENTS];
    private final int[] resizeAt = new int[SEGMENTS];
    private int size;

    /**
     * @param pattern the listing's pattern, for the error
     * @param limit the bytes the tables may take; a growth that would pass it fails the listing instead
     */
    KeyFingerprints(String pattern, long limit) {
        this(pattern, limit, new ScannerMemory(Long.MAX_VALUE));
    }

    /**
     * @param scanner the memory of the scanner's listings together, which the tables are reserved from as well
     * @throws KeyScanException when the scanner's listings together would pass its limit with the first tables
     */
    KeyFingerprints(String pattern, long limit, ScannerMemory scanner) {
        this(SEEDS.nextLong(), SEEDS.nextLong(), pattern, limit, scanner);
    }

    KeyFingerprints(long k0, long k1, String pattern, long limit) {
        this(k0, k1, pattern, limit, new ScannerMemory(Long.MAX_VALUE));
    }

    private KeyFingerprints(long k0, long k1, String pattern, long limit, ScannerMemory scanner) {
        this.k0 = k0;
        this.k1 = k1;
        this.pattern = pattern;
        this.limit = limit;
        this.bytes = (long) SEGMENTS * INITIAL_SEGMENT_CAPACITY * 16;
        this.share = new ScannerMemory.Share(scanner, pattern);
        share.use(bytes, 0);
        for (int segment = 0; segment < SEGMENTS; segment++) {
            high[segment] = new long[INITIAL_SEGMENT_CAPACITY];
            low[segment] = new long[INITIAL_SEGMENT_CAPACITY];
            resizeAt[segment] = threshold(INITIAL_SEGMENT_CAPACITY);
        }
    }

    /**
     * Adds {@code key}; {@code true} if it was not in the set before.
     *
     * @throws KeyScanException when growing the set for this key would pass the memory limit
     */
    boolean add(byte[] key) {
        long[] fingerprint = sipHash128(key);
        long h = fingerprint[0];
        long l = fingerprint[1];
        if (h == 0 && l == 0) {
            l = 1; // zero marks a free slot
        }
        // the top bits of h pick the segment, the bits of l the slot in it: independent, so no segment clusters
        int segment = (int) (h >>> 58);
        if (!insert(high[segment], low[segment], h, l)) {
            return false;
        }
        size++;
        if (++sizes[segment] >= resizeAt[segment]) {
            grow(segment);
        }
        return true;
    }

    int size() {
        return size;
    }

    /** The listing ended: what the tables reserved from the scanner's memory goes back. */
    void release() {
        share.release();
    }

    /** Bytes the set's tables take now. */
    long bytes() {
        return bytes;
    }

    private static boolean insert(long[] high, long[] low, long h, long l) {
        int mask = high.length - 1;
        int slot = (int) (l ^ (l >>> 32)) & mask;
        while (true) {
            long existingHigh = high[slot];
            long existingLow = low[slot];
            if (existingHigh == 0 && existingLow == 0) {
                high[slot] = h;
                low[slot] = l;
                return true;
            }
            if (existingHigh == h && existingLow == l) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
    }

    private void grow(int segment) {
        long[] oldHigh = high[segment];
        long[] oldLow = low[segment];
        int capacity = oldHigh.length << 1;
        // While growing, the old and the new arrays of the segment are both held.
        if (bytes + 16L * capacity > limit) {
            throw ListingMemory.exceeded(pattern, limit, size, true);
        }
        share.use(bytes + 16L * capacity, size);
        bytes += 16L * (capacity - oldHigh.length);
        long[] newHigh = new long[capacity];
        long[] newLow = new long[capacity];
        for (int i = 0; i < oldHigh.length; i++) {
            if (oldHigh[i] != 0 || oldLow[i] != 0) {
                insert(newHigh, newLow, oldHigh[i], oldLow[i]);
            }
        }
        high[segment] = newHigh;
        low[segment] = newLow;
        resizeAt[segment] = threshold(capacity);
    }

    private static int threshold(int capacity) {
        return (int) (capacity * 0.75);
    }

    /** SipHash-2-4 with 128-bit output (Aumasson and Bernstein, the reference implementation's variant). */
    long[] sipHash128(byte[] data) {
        SipState v = new SipState(k0, k1);
        int length = data.length;
        int blocks = length & ~7;
        for (int i = 0; i < blocks; i += 8) {
            v.compress((long) LONG_LE.get(data, i));
        }
        long last = ((long) length) << 56;
        for (int i = length - 1; i >= blocks; i--) {
            last |= (data[i] & 0xffL) << ((i - blocks) * 8);
        }
        v.compress(last);
        v.v2 ^= 0xeeL;
        v.rounds(4);
        long first = v.v0 ^ v.v1 ^ v.v2 ^ v.v3;
        v.v1 ^= 0xddL;
        v.rounds(4);
        long second = v.v0 ^ v.v1 ^ v.v2 ^ v.v3;
        return new long[] {first, second};
    }

    /** SipHash's four-word state; short-lived, so the JIT keeps it in registers. */
    private static final class SipState {
        long v0;
        long v1;
        long v2;
        long v3;

        SipState(long k0, long k1) {
            v0 = 0x736f6d6570736575L ^ k0;
            v1 = 0x646f72616e646f6dL ^ k1 ^ 0xeeL;
            v2 = 0x6c7967656e657261L ^ k0;
            v3 = 0x7465646279746573L ^ k1;
        }

        void compress(long m) {
            v3 ^= m;
            rounds(2);
            v0 ^= m;
        }

        void rounds(int count) {
            for (int i = 0; i < count; i++) {
                v0 += v1;
                v1 = Long.rotateLeft(v1, 13);
                v1 ^= v0;
                v0 = Long.rotateLeft(v0, 32);
                v2 += v3;
                v3 = Long.rotateLeft(v3, 16);
                v3 ^= v2;
                v0 += v3;
                v3 = Long.rotateLeft(v3, 21);
                v3 ^= v0;
                v2 += v1;
                v1 = Long.rotateLeft(v1, 17);
                v1 ^= v2;
                v2 = Long.rotateLeft(v2, 32);
            }
        }
    }
}
