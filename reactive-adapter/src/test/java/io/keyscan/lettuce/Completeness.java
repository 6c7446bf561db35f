package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** "Nothing lost", checked in linear time (AssertJ's containsAll is quadratic on large collections). */
final class Completeness {

    private Completeness() {
    }

    /** Fails listing the keys of {@code expected} that {@code listed} lacks. */
    static void assertNothingLost(Collection<String> listed, Collection<String> expected) {
        Set<String> present = listed instanceof Set ? (Set<String>) listed : new HashSet<>(listed);
        List<String> missing = new ArrayList<>();
        for (String key : expected) {
            if (!present.contains(key)) {
                missing.add(key);
            }
        }
        assertThat(missing).as("keys lost, of %d expected", expected.size()).isEmpty();
    }
}
