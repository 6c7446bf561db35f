package io.keyscan.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ResultsCsvTest {

    @Test
    void headerIsExactlyTheDocumentedOne() {
        assertThat(ResultRow.CSV_HEADER).isEqualTo(
                "dataset_keys,query_class,path,count,runs,median_ms,ratio_to_keys,scan_calls,max_call_us,probe_max_ms,"
                        + "server_ms,ratio_to_server,probe_p99_ms,probe_p999_ms");
        assertThat(RunSample.CSV_HEADER).isEqualTo("dataset_keys,query_class,path,count,run,wall_ms,scan_calls,"
                + "max_call_us,probe_max_ms,keys_found,server_ms,probe_p99_ms,probe_p999_ms");
    }

    /** Round trips in nanoseconds: {@code count} of each of {@code millis}. */
    static Histogram roundTrips(int count, double... millis) {
        Histogram histogram = new Histogram(3);
        for (double ms : millis) {
            histogram.recordValueWithCount(Math.round(ms * 1e6), count);
        }
        return histogram;
    }

    /** {@code count} round trips of {@code base} ms and one of {@code spike} ms. */
    static Histogram spiky(int count, double base, double spike) {
        Histogram histogram = roundTrips(count, base);
        histogram.recordValue(Math.round(spike * 1e6));
        return histogram;
    }

    static RunSample sample(long keys, String queryClass, String path, Integer count, int run, double wall,
            long scanCalls, Long maxCall, double probeMax, int found) {
        return new RunSample(keys, queryClass, path, count, run, wall, scanCalls, maxCall, probeMax, found, wall / 2,
                roundTrips(1, 0.1));
    }

    @Test
    void summarisesRunsIntoOneRowPerPathWithMedianRatioAndMaxima() {
        List<RunSample> samples = new ArrayList<>();
        double[] keys = {100, 120, 110};
        double[] scan = {150, 130, 500};
        double[] auto = {200, 220, 210};
        double[] server = {50, 100, 0.5};
        for (int run = 1; run <= 3; run++) {
            samples.add(new RunSample(1000, "broad", "KEYS", null, run, keys[run - 1], 0, 900L + run, 1.5 * run, 10,
                    keys[run - 1] - 10, roundTrips(1000, 0.1)));
            samples.add(new RunSample(1000, "broad", "SCAN", 100, run, scan[run - 1], 10 + run % 2, 60L, 0.4, 10,
                    server[run - 1], roundTrips(1000, 0.2)));
            // 1 round trip in 500 is long (2, 4 and 8 ms): over the 3 runs, p99.9 is the second longest
            samples.add(new RunSample(1000, "broad", "SCAN_AUTO", null, run, auto[run - 1], 2, null, 0.3, 10, 0,
                    spiky(499, 0.25, Math.pow(2, run))));
        }

        List<ResultRow> rows = Summary.rows(samples);

        // server_ms the median of the runs' server times; ratio_to_server median wall over it, empty when the server
        // counted no time; the probe's percentiles over the round trips of all the runs together
        assertThat(rows).extracting(ResultRow::csvLine).containsExactly(
                "1000,broad,KEYS,,3,110.000,1.00,0,903,4.50,100.000,1.10,0.10,0.10",
                "1000,broad,SCAN,100,3,150.000,1.36,10.7,60,0.40,50.000,3.00,0.20,0.20",
                "1000,broad,SCAN_AUTO,,3,210.000,1.91,2,,0.30,0.000,,0.25,4.00");
        assertThat(samples.get(2).csvLine()).isEqualTo("1000,broad,SCAN_AUTO,,1,200.000,2,,0.30,10,0.000,0.25,2.00");
    }

    @Test
    void theMarkdownShowsTheServerFloorAndTheProbePercentiles() {
        List<RunSample> samples = List.of(
                new RunSample(1000, "broad", "KEYS", null, 1, 100, 0, 90_000L, 91, 10, 90, spiky(500, 0.1, 91)),
                new RunSample(1000, "broad", "SCAN_AUTO", null, 1, 121, 50, 2_000L, 2.5, 10, 110,
                        spiky(500, 0.1, 2.5)),
                new RunSample(1000, "broad", "LETTUCE_SCANSTREAM", null, 1, 400, 100, 300L, 1.0, 10, 150,
                        spiky(500, 0.1, 1.0)));
        Reports.RunInfo info = new Reports.RunInfo(Instant.parse("2026-11-30T00:00:00Z"), "bench", new Machine(2,
                "24 GiB RAM", "Linux", "JDK 17", "abc"), "Valkey 9.1.2", "valkey-9.1", "1 run", "INFO latencystats",
                Map.of(), "1.00 1.00 1.00", 1_000_000_000L, true, false, null, 1,
                "0.50 ms added round trip: ...");

        String md = Reports.markdown(info, Summary.rows(samples));

        assertThat(md).contains("| server | Valkey 9.1.2: valkey-9.1 |", "| network | 0.50 ms added round trip: ... |",
                "| broad | 100 (90.0) | 121 (1.21) | 110 (1.10) | 400 (4.00) | 90,000 / 2,000 / 300 | 91.0 / 2.50 / 1.00 "
                        + "| 91.0 / 2.50 / 1.00 |",
                "| server ms | × server | probe p99 ms | probe p99.9 ms |",
                "| broad | SCAN_AUTO |  | 1 | 121 | 1.21 | 50 | 2,000 | 2.50 | 110 | 1.10 | 0.10 | 2.50 |");
    }

    @Test
    void theListingServerTimeIsTheUsecOfScanKeysAndExists() {
        String info = "# Commandstats\r\ncmdstat_scan:calls=10,usec=1500,usec_per_call=150.00\r\n"
                + "cmdstat_ping:calls=99,usec=99,usec_per_call=1.00\r\ncmdstat_keys:calls=1,usec=900\r\n"
                + "cmdstat_exists:calls=2,usec=3,usec_per_call=1.50\r\ncmdstat_info:calls=5,usec=500\r\n";

        assertThat(ServerCallTimer.listingMicros(info)).isEqualTo(1500 + 900 + 3);
        assertThat(ServerCallTimer.listingMicros("# Commandstats\r\n")).isZero();
    }

    @Test
    void pathsWithTheSameNameButDifferentCountsAreSeparateRows() {
        List<RunSample> samples = List.of(
                sample(100, "lookup", "KEYS", null, 1, 1.0, 0, 5L, 0.1, 1),
                sample(100, "lookup", "SCAN", 10, 1, 4.0, 10, 5L, 0.1, 1),
                sample(100, "lookup", "SCAN", 1000, 1, 2.0, 1, 5L, 0.1, 1));

        assertThat(Summary.rows(samples)).extracting(ResultRow::label, ResultRow::ratioToKeys)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("KEYS", 1.0),
                        org.assertj.core.groups.Tuple.tuple("SCAN 10", 4.0),
                        org.assertj.core.groups.Tuple.tuple("SCAN 1000", 2.0));
    }

    @Test
    void aRatioNeedsKeysRunsForTheSameDatasetAndClass() {
        List<RunSample> samples = List.of(sample(100, "lookup", "KEYS", null, 1, 1.0, 0, 5L, 0.1, 1),
                sample(1000, "lookup", "SCAN", 10, 1, 4.0, 10, 5L, 0.1, 1));

        assertThatThrownBy(() -> Summary.rows(samples)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no KEYS runs");
    }

    @Test
    void readsP100FromInfoLatencystats() {
        String info = "# Latencystats\r\nlatency_percentiles_usec_scan:p100=1720.319\r\n"
                + "latency_percentiles_usec_config|get:p100=15.039\r\n"
                + "latency_percentiles_usec_keys:p50=1.003,p99=9.1,p100=1002438.655\r\n";

        assertThat(ServerCallTimer.p100(info, "scan")).isEqualTo(1720.319);
        assertThat(ServerCallTimer.p100(info, "keys")).isEqualTo(1002438.655);
        assertThat(ServerCallTimer.p100(info, "ping")).isNull();
    }

    @Test
    void overTheMastersOfAClusterScanCallsAddUpAndTheLongestCallIsTheLongestOnAny() {
        ServerCallTimer.RunCalls combined = CallTimers.combine(List.of(new ServerCallTimer.RunCalls(120, 900L, 40_000),
                new ServerCallTimer.RunCalls(100, null, 35_000), new ServerCallTimer.RunCalls(130, 1_500L, 42_000)));

        assertThat(combined.scanCalls()).isEqualTo(350);
        assertThat(combined.maxCallMicros()).isEqualTo(1_500L);
        assertThat(combined.serverMicros()).as("the busiest master: the masters work at once").isEqualTo(42_000);
        assertThat(CallTimers.combine(List.of(new ServerCallTimer.RunCalls(0, null, 0),
                new ServerCallTimer.RunCalls(0, null, 0))).maxCallMicros()).isNull();
    }

    @Test
    void sortsAndDeduplicatesLikeFetchKeys() {
        assertThat(ListingPath.sortedDistinct(List.of("b", "a", "c", "a", "b"))).containsExactly("a", "b", "c");
    }

    @Test
    void markdownCellsEscapeThePipesOfPatterns() {
        assertThat(Reports.cell("performance|*|request_id|x|*")).isEqualTo("performance\\|*\\|request_id\\|x\\|*");
    }
}
