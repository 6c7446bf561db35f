package io.keyscan.bench;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The answer every listing of a load test must give: the sorted, distinct KEYS answer. A {@code fetchKeys} listing
 * is compared with it whole ({@link #checkList}); a stream is checked off key by key ({@link #tally()}), so that
 * hundreds of concurrent streams are checked exactly without holding their keys: one bit per expected key each.
 * Shared by the listings once built: read-only.
 */
final class ExpectedKeys {

    private final List<String> sorted;
    private final Map<String, Integer> index;

    /** @param sorted the reference: sorted, distinct */
    ExpectedKeys(List<String> sorted) {
        this.sorted = List.copyOf(sorted);
        this.index = new HashMap<>(sorted.size() * 2);
        for (int i = 0; i < this.sorted.size(); i++) {
            if (i > 0 && this.sorted.get(i - 1).compareTo(this.sorted.get(i)) >= 0) {
                throw new IllegalArgumentException("the reference is not sorted and distinct at index " + i);
            }
            index.put(this.sorted.get(i), i);
        }
    }

    int size() {
        return sorted.size();
    }

    /** {@code null} when {@code keys} is exactly the reference; else what differs first, in words. */
    String checkList(List<String> keys) {
        if (keys.equals(sorted)) {
            return null;
        }
        int i = 0;
        while (i < keys.size() && i < sorted.size() && keys.get(i).equals(sorted.get(i))) {
            i++;
        }
        return String.format(Locale.ROOT, "%,d keys where KEYS has %,d; first difference at index %d: %s vs %s",
                keys.size(), sorted.size(), i, i < keys.size() ? "'" + keys.get(i) + "'" : "(end)",
                i < sorted.size() ? "'" + sorted.get(i) + "'" : "(end)");
    }

    /** A fresh tally for one stream. */
    Tally tally() {
        return new Tally();
    }

    /** The keys one stream delivered so far, checked off as they come. Not thread-safe: one stream's signals are serial. */
    final class Tally {
        private final BitSet seen = new BitSet(sorted.size());
        private long received;
        private String problem;

        /** Checks off {@code key}; an unexpected or repeated key is remembered as the stream's problem (the first). */
        void add(String key) {
            received++;
            Integer at = index.get(key);
            if (at == null) {
                problemOnce("a key KEYS does not have: '" + key + "'");
            } else if (seen.get(at)) {
                problemOnce("a key twice: '" + key + "'");
            } else {
                seen.set(at);
            }
        }

        long received() {
            return received;
        }

        /** {@code null} when the stream delivered every expected key once and nothing else; else the first problem. */
        String verdict() {
            if (problem != null) {
                return problem;
            }
            int have = seen.cardinality();
            if (have == sorted.size()) {
                return null;
            }
            int missing = seen.nextClearBit(0);
            return String.format(Locale.ROOT, "%,d of %,d keys; the first missing: '%s'", have, sorted.size(),
                    sorted.get(missing));
        }

        private void problemOnce(String what) {
            if (problem == null) {
                problem = what;
            }
        }
    }
}
