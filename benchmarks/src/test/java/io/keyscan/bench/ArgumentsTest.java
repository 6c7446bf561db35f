package io.keyscan.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    void pathsAlwaysKeepKeysFirst() {
        assertThat(Arguments.parse(new String[0]).paths).containsExactly("KEYS", "SCAN", "SCAN_AUTO",
                "LETTUCE_SCANSTREAM");
        assertThat(Arguments.parse(new String[] {"--paths", "SCAN_AUTO,KEYS"}).paths).containsExactly("KEYS",
                "SCAN_AUTO");
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--paths", "SCAN_FAST"}))
                .hasMessageContaining("unknown path 'SCAN_FAST'").hasMessageContaining("SCAN_AUTO");
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--paths", "KEYS"}))
                .hasMessageContaining("at least one path besides KEYS");
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
    void aServerOfTheMatrixOrAnExecutableAndNothingElse(@TempDir Path dir) throws IOException {
        Path notExecutable = Files.writeString(dir.resolve("redis-server"), "not a program");
        assertThat(Arguments.parse(new String[] {"--server", "valkey-9.1"}).server).isEqualTo("valkey-9.1");
        assertThat(Arguments.parse(new String[] {"--server", "/bin/sh"}).server).isEqualTo("/bin/sh");
        assertThat(Arguments.parse(new String[0]).server).isNull();
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--server", "redis-9.9"}))
                .hasMessage("--server 'redis-9.9' is neither a server of the matrix (redis-6.2, redis-7.0, redis-8.0, "
                        + "redis-8.6, valkey-8.0, valkey-8.1, valkey-9.1) nor an executable file");
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--server", notExecutable.toString()}))
                .hasMessageContaining("'" + notExecutable + "' is neither");
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--server", "redis-8.6", "--redis-url", "redis://x:1"}))
                .hasMessageContaining("does not work with --redis-url");
        assertThat(Arguments.parse(new String[] {"--server", "redis-8.6", "--cluster"}).isCluster()).isTrue();
    }

    @Test
    void anAddedRoundTripIsATimeForOneServer() {
        assertThat(Arguments.parse(new String[0]).addedRttNanos).isZero();
        assertThat(Arguments.parse(new String[] {"--added-rtt", "0.5ms"}).addedRttNanos).isEqualTo(500_000);
        assertThat(Arguments.parse(new String[] {"--added-rtt", "250us"}).addedRttNanos).isEqualTo(250_000);
        assertThat(Arguments.parse(new String[] {"--added-rtt", "1ms"}).addedRttNanos).isEqualTo(1_000_000);
        assertThat(Arguments.parse(new String[] {"--added-rtt", ".1ms"}).addedRttNanos).isEqualTo(100_000);
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--added-rtt", "0.5"}))
                .hasMessageContaining("--added-rtt takes a time such as 0.5ms");
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--added-rtt", "0ms"}))
                .hasMessageContaining("between 1us and 1s");
        assertThatThrownBy(() -> Arguments.parse(new String[] {"--added-rtt", "1ms", "--cluster"}))
                .hasMessageContaining("one server only");
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
