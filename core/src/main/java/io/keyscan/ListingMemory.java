package io.keyscan;

/**
 * The memory one {@code fetch*} listing holds for its collected keys (and values), counted against
 * {@link KeyScanOptions#distinctMemoryLimit()} as they arrive, so that a listing larger than the limit fails as
 * soon as it passes it (with SCAN, a page after the limit at most; with KEYS, once a server's whole reply has
 * arrived, before the next server is asked) instead of running the JVM out of heap. Not thread-safe: it follows one
 * listing's serialised signals.
 */
final class ListingMemory {

    /**
     * Estimated bytes a collected key of {@code length} bytes holds until the sorted result is delivered: its
     * {@code byte[]} as read (16-byte header), its decoded {@code String} (a 24-byte object and a second array), and
     * a reference in the collected and in the sorted list. Rounded up; compressed references assumed.
     */
    static long keyBytes(int length) {
        return 80L + 2L * length;
    }

    private final String pattern;
    private final long limit;
    private final ScannerMemory.Share share;
    private long used;
    private long keys;

    /** A listing counted against {@code limit} alone. */
    ListingMemory(String pattern, long limit) {
        this(pattern, limit, new ScannerMemory(Long.MAX_VALUE));
    }

    /** A listing counted against {@code limit} and, with the scanner's other listings, against {@code scanner}. */
    ListingMemory(String pattern, long limit, ScannerMemory scanner) {
        this.pattern = pattern;
        this.limit = limit;
        this.share = new ScannerMemory.Share(scanner, pattern);
    }

    /** The listing ended: what it reserved from the scanner's memory goes back. */
    void release() {
        share.release();
    }

    /** Counts one collected key; throws when the listing would pass the limit. */
    void addKey(byte[] key) {
        keys++;
        add(keyBytes(key.length));
    }

    /** Counts a value held beside its key (its bytes and decoded string). */
    void addValue(int length) {
        add(64L + 2L * length);
    }

    private void add(long bytes) {
        used += bytes;
        if (used > limit) {
            throw exceeded(pattern, limit, keys, false);
        }
        share.use(used, keys);
    }

    /**
     * The error of a listing that would pass {@code limit}: what was seen, and the two ways on.
     *
     * @param streaming whether it is {@code scan}'s de-duplication set (else a collected {@code fetch*} result)
     */
    static KeyScanException exceeded(String pattern, long limit, long keys, boolean streaming) {
        String what = streaming ? "remembering the keys already emitted, to emit each once,"
                : "collecting, decoding and sorting the keys";
        String remedy = streaming
                ? "set distinctScan=false (KEYSCAN_DISTINCT_SCAN=false) to stream keys in constant memory (a key "
                        + "may then repeat)"
                : "stream them with scan() and distinctScan=false (KEYSCAN_DISTINCT_SCAN=false), in constant memory";
        return new KeyScanException("Listing keys of pattern " + Patterns.abbreviate(pattern) + " stopped after "
                + keys + (keys == 1 ? " key" : " keys") + ": " + what + " would take more than distinctMemoryLimit ("
                + describe(limit) + "). Raise distinctMemoryLimit (KEYSCAN_DISTINCT_MEMORY_LIMIT, "
                + "keyscan.distinct-memory-limit), list a narrower pattern, or " + remedy, pattern, null, 1, null);
    }

    /** {@code 64 MB}, {@code 512 KB}, or bytes. */
    static String describe(long bytes) {
        if (bytes >= (1L << 30) && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GB";
        }
        if (bytes >= (1L << 20) && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MB";
        }
        if (bytes >= (1L << 10) && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + " KB";
        }
        if (bytes >= (1L << 20)) {
            return String.format(java.util.Locale.ROOT, "%.1f MB, %d bytes", bytes / (double) (1L << 20), bytes);
        }
        return bytes + " bytes";
    }
}
