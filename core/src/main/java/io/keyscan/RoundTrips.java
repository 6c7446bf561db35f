package io.keyscan;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shortest round trip a scanner has seen to each server address, over all its listings: what auto-tuning
 * sizes cursor ranges by ({@link DefaultKeyScanner#autoParallelism}).
 *
 * <p>The shortest, because a round trip can only be lengthened by what is not the network: the server's queue,
 * a busy client, a cold JVM. One listing sees few round trips before it decides (the first page's); a scanner's
 * earlier listings have seen many, some of them without any of that. A shortest that is too short costs nothing
 * but ranges that could have been added; a longer one would add ranges that only make calls smaller where the
 * machine, not the network, is slow. Bounded: the least recently used addresses are forgotten. Thread-safe.
 */
final class RoundTrips {

    /** More addresses than a large cluster has nodes. */
    static final int CAPACITY = 1024;

    /** No round trip seen to the address. */
    static final long NONE = -1;

    private final Map<String, Long> shortest = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > CAPACITY;
        }
    };

    /** A round trip of {@code nanos} to {@code address} was seen. */
    synchronized void observe(String address, long nanos) {
        if (nanos >= 0) {
            shortest.merge(address, nanos, Math::min);
        }
    }

    /** The shortest round trip seen to {@code address}, in nanoseconds, or {@link #NONE}. */
    synchronized long shortest(String address) {
        Long nanos = shortest.get(address);
        return nanos == null ? NONE : nanos;
    }
}
