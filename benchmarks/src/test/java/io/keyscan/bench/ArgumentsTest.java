package io.keyscan.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArgumentsTest {

    @Test
    void defaultsMeasureEverySizeClassAndPathFiveTimes() {
        Arguments arguments = Arguments.parse(new String[0]);
        assertThat(arguments.sizes).containsExactly(100, 1_000, 10_000, 100_000, 1_000_000);
        assertThat(arguments.classes).containsExactly("match_all", "date_scoped", "lookup", "broad", "literal");
        assertThat(arguments.counts).containsExactly(10, 100, 1_000, 10_000);
        assertThat(arguments.runsFor(100)).isEqualTo(5);
        assertThat(arguments.runsFor(1_000_000)).isEqualTo(5);
        assertThat(arguments.writes()).isTrue();
    }

    @Test
    void parsesListsAndLargeRuns() {
        Arguments arguments = Arguments.parse(new String[] {"--sizes", "1_000_000,100", "--classes", "literal,lookup",
            "--runs", "7", "--large-runs", "3"});
        assertThat(arguments.sizes).containsExactly(100, 1_000_000);
        assertThat(arguments.classes).containsExactly("lookup", "literal");
        assertThat(arguments.runsFor(100)).isEqualTo(7);
        assertThat(arguments.runsFor(1_000_000)).isEqualTo(3);
    }

    @Test
    void aServerGivenByUrlIsReadOnlyUnlessLoadIsGiven() {
        assertThat(Arguments.parse(new String[] {"--redis-url", "redis://localhost:6379"}).writes()).isFalse();
        assertThat(Arguments.parse(new String[] {"--redis-url", "redis://localhost:6379", "--load"}).writes()).isTrue();
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--load"}))
                .hasMessageContaining("--load needs --redis-url");
    }

    @Test
    void aClusterRunDefaultsToAMillionKeysAndLoadsItsOwnCluster() {
        Arguments arguments = Arguments.parse(new String[] {"--cluster"});
        assertThat(arguments.isCluster()).isTrue();
        assertThat(arguments.sizes).containsExactly(1_000_000);
        assertThat(arguments.writes()).isTrue();
        assertThat(Arguments.parse(new String[] {"--cluster", "--sizes", "1000,100000"}).sizes)
                .containsExactly(1_000, 100_000);
        assertThat(Arguments.parse(new String[0]).isCluster()).isFalse();
    }

    @Test
    void aClusterGivenByUrlIsOnlyRead() {
        Arguments arguments = Arguments.parse(new String[] {"--cluster-url", "redis://10.0.0.1:7000"});
        assertThat(arguments.isCluster()).isTrue();
        assertThat(arguments.writes()).isFalse();
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--cluster-url", "redis://10.0.0.1:7000", "--load"}))
                .hasMessageContaining("--load does not work with --cluster-url");
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--cluster", "--redis-url", "redis://localhost:6379"}))
                .hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--cluster", "--cluster-url", "redis://localhost:7000"}))
                .hasMessageContaining("exclude each other");
    }

    @Test
    void clusterResultsGoToTheirOwnFolder() {
        assertThat(KeysVersusScanBenchmark.defaultOut(true).getParent().getFileName()).hasToString("cluster");
        assertThat(KeysVersusScanBenchmark.defaultOut(false).getParent().getFileName()).hasToString("results");
    }

    @Test
    void rejectsWhatItDoesNotKnow() {
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--classes", "everything"}))
                .hasMessageContaining("unknown query class 'everything'");
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--runs", "0"})).hasMessageContaining("--runs");
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--sizes"})).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--bogus"})).hasMessageContaining("unknown argument");
    }
}
