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
    void rejectsWhatItDoesNotKnow() {
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--classes", "everything"}))
                .hasMessageContaining("unknown query class 'everything'");
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--runs", "0"})).hasMessageContaining("--runs");
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--sizes"})).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--bogus"})).hasMessageContaining("unknown argument");
    }
}
