package io.keyscan.bench;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MismatchTest {

    private final ListingPath path = ListingPath.lettuceScanStream(null); // never fetches here
    private final QueryClass broad = new QueryClass("broad", "performance|controller|UsersController|*", null);

    @Test
    void theSameAnswerPasses() {
        assertThatCode(() -> KeysVersusScanBenchmark.check(List.of("a", "b"), List.of("a", "b"), path, broad, 2,
                "run 1", false)).doesNotThrowAnyException();
    }

    @Test
    void aMissingKeyFailsTheRunNamingPathClassAndFirstDifference() {
        assertThatThrownBy(() -> KeysVersusScanBenchmark.check(List.of("a", "c"), List.of("a", "b", "c"), path, broad,
                1000, "run 3", false))
                .isInstanceOf(KeysVersusScanBenchmark.PathMismatchException.class)
                .hasMessageContaining("LETTUCE_SCANSTREAM (run 3) over 1,000 keys, class broad")
                .hasMessageContaining("2 keys, but KEYS has 3")
                .hasMessageContaining("index 1: 'c' vs 'b'");
    }

    @Test
    void anExtraKeyFailsTheRunToo() {
        assertThatThrownBy(() -> KeysVersusScanBenchmark.check(List.of("a", "b", "z"), List.of("a", "b"), path, broad,
                10, "warm-up", true))
                .isInstanceOf(KeysVersusScanBenchmark.PathMismatchException.class)
                .hasMessageContaining("but the loaded dataset has 2")
                .hasMessageContaining("index 2: 'z' vs (end)");
    }
}
