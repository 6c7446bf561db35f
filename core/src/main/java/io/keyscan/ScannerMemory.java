package io.keyscan;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory all listings of one scanner hold at once for what they collect ({@code fetch*}) or remember
 * ({@code scan}'s de-duplication), against one limit: each listing is bounded by {@code distinctMemoryLimit} alone,
 * but a hundred listings at once, each within it, could together exhaust the heap. A listing reserves from this
 * budget as it grows ({@link ListingMemory}, {@link KeyFingerprints}) and gives all of it back when it ends, however
 * it ends; the one that would pass the limit fails with a {@link KeyScanException} instead of running the JVM out of
 * heap for everyone. Thread-safe.
 */
final class ScannerMemory {

    /** Bytes a listing reserves at a time, so that listings growing together do not contend on every key. */
    static final long CHUNK = 64 * 1024;

    private final long limit;
    private final AtomicLong reserved = new AtomicLong();

    /**
     * The budget of a scanner with {@code options}: three quarters of the JVM's maximum heap, and never less than
     * what one listing may hold ({@code distinctMemoryLimit}), so that a listing alone is never refused by it.
     */
    static ScannerMemory forOptions(KeyScanOptions options) {
        return new ScannerMemory(Math.max(options.distinctMemoryLimit(), Runtime.getRuntime().maxMemory() / 4 * 3));
    }

    ScannerMemory(long limit) {
        this.limit = limit;
    }

    long limit() {
        return limit;
    }

    /** Bytes reserved by the scanner's listings now. */
    long reserved() {
        return reserved.get();
    }

    /** Reserves {@code bytes}; {@code false}, reserving nothing, if that would pass the limit. */
    boolean tryReserve(long bytes) {
        while (true) {
            long now = reserved.get();
            if (now + bytes > limit) {
                return false;
            }
            if (reserved.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Gives back {@code bytes} a listing reserved. */
    void release(long bytes) {
        reserved.addAndGet(-bytes);
    }

    /** The error of the listing that would take the scanner's listings together past the limit. */
    KeyScanException exceeded(String pattern, long keys, long listingBytes, long listingReserved) {
        return new KeyScanException("Listing keys of pattern " + Patterns.abbreviate(pattern) + " stopped after "
                + keys + (keys == 1 ? " key" : " keys") + ": with it, the listings this scanner runs at once would hold "
                + "more than " + ListingMemory.describe(limit) + " (three quarters of the maximum heap, or "
                + "distinctMemoryLimit if larger) for the keys they collect or remember: it needed "
                + ListingMemory.describe(listingBytes) + ", the others held " + ListingMemory.describe(
                        Math.max(0, reserved() - listingReserved)) + ". Run fewer listings at once, give "
                + "the JVM more heap, or stream keys with scan() and distinctScan=false "
                + "(KEYSCAN_DISTINCT_SCAN=false), in constant memory", pattern, null, 1, null);
    }

    /**
     * What one listing has reserved from a {@link ScannerMemory}: it reserves in {@link #CHUNK}s ahead of its use
     * and gives everything back once, in {@link #release()}, which may come from a cancelling thread while the
     * listing's signals still run: both are synchronised, and nothing is reserved after the release.
     */
    static final class Share {
        private final ScannerMemory memory;
        private final String pattern;
        private long reservedBytes;
        private boolean released;

        Share(ScannerMemory memory, String pattern) {
            this.memory = memory;
            this.pattern = pattern;
        }

        /**
         * The listing now uses {@code bytes} in all; reserves more if needed.
         *
         * @throws KeyScanException when the scanner's listings together would pass the limit
         */
        synchronized void use(long bytes, long keys) {
            if (released || bytes <= reservedBytes) {
                return;
            }
            long more = Math.max(CHUNK, bytes - reservedBytes);
            if (!memory.tryReserve(more)) {
                long exact = bytes - reservedBytes;
                if (exact >= more || !memory.tryReserve(exact)) {
                    throw memory.exceeded(pattern, keys, bytes, reservedBytes);
                }
                more = exact;
            }
            reservedBytes += more;
        }

        /** The listing ended: everything it reserved goes back. Idempotent. */
        synchronized void release() {
            if (!released) {
                released = true;
                memory.release(reservedBytes);
                reservedBytes = 0;
            }
        }
    }
}
