package io.keyscan.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultsCsvTest {

    @Test
    void headerIsExactlyTheDocumentedOne() {
        assertThat(ResultRow.CSV_HEADER).isEqualTo(
                "dataset_keys,query_class,path,count,runs,median_ms,ratio_to_keys,scan_calls,max_call_us,probe_max_ms");
    }

    @Test
    void summarisesRunsIntoOneRowPerPathWithMedianRatioAndMaxima() {
        List<RunSample> samples = new ArrayList<>();
        double[] keys = {100, 120, 110};
        double[] scan = {150, 130, 500};
        double[] auto = {200, 220, 210};
        for (int run = 1; run <= 3; run++) {
            samples.add(new RunSample(1000, "broad", "KEYS", null, run, keys[run - 1], 0, 900L + run, 1.5 * run, 10));
            samples.add(new RunSample(1000, "broad", "SCAN", 100, run, scan[run - 1], 10 + run % 2, 60L, 0.4, 10));
            samples.add(new RunSample(1000, "broad", "SCAN_AUTO", null, run, auto[run - 1], 2, null, 0.3, 10));
        }

        List<ResultRow> rows = Summary.rows(samples);

        assertThat(rows).extracting(ResultRow::csvLine).containsExactly(
                "1000,broad,KEYS,,3,110.000,1.00,0,903,4.50",
                "1000,broad,SCAN,100,3,150.000,1.36,10.7,60,0.40",
                "1000,broad,SCAN_AUTO,,3,210.000,1.91,2,,0.30");
    }

    @Test
    void pathsWithTheSameNameButDifferentCountsAreSeparateRows() {
        List<RunSample> samples = List.of(
                new RunSample(100, "lookup", "KEYS", null, 1, 1.0, 0, 5L, 0.1, 1),
                new RunSample(100, "lookup", "SCAN", 10, 1, 4.0, 10, 5L, 0.1, 1),
                new RunSample(100, "lookup", "SCAN", 1000, 1, 2.0, 1, 5L, 0.1, 1));

        assertThat(Summary.rows(samples)).extracting(ResultRow::label, ResultRow::ratioToKeys)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("KEYS", 1.0),
                        org.assertj.core.groups.Tuple.tuple("SCAN 10", 4.0),
                        org.assertj.core.groups.Tuple.tuple("SCAN 1000", 2.0));
    }

    @Test
    void aRatioNeedsKeysRunsForTheSameDatasetAndClass() {
        List<RunSample> samples = List.of(new RunSample(100, "lookup", "KEYS", null, 1, 1.0, 0, 5L, 0.1, 1),
                new RunSample(1000, "lookup", "SCAN", 10, 1, 4.0, 10, 5L, 0.1, 1));

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
        ServerCallTimer.RunCalls combined = CallTimers.combine(List.of(new ServerCallTimer.RunCalls(120, 900L),
                new ServerCallTimer.RunCalls(100, null), new ServerCallTimer.RunCalls(130, 1_500L)));

        assertThat(combined.scanCalls()).isEqualTo(350);
        assertThat(combined.maxCallMicros()).isEqualTo(1_500L);
        assertThat(CallTimers.combine(List.of(new ServerCallTimer.RunCalls(0, null),
                new ServerCallTimer.RunCalls(0, null))).maxCallMicros()).isNull();
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
