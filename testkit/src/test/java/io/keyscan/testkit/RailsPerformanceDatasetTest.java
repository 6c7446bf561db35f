package io.keyscan.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class RailsPerformanceDatasetTest {

    @Test
    void sameSeedSameKeysAndEveryKeyDistinct() {
        RailsPerformanceDataset a = RailsPerformanceDataset.generate(10_000, 42);
        RailsPerformanceDataset b = RailsPerformanceDataset.generate(10_000, 42);
        assertThat(a.keys()).isEqualTo(b.keys());
        assertThat(new HashSet<>(a.keys())).hasSize(10_000);
        assertThat(RailsPerformanceDataset.generate(10_000, 43).keys()).isNotEqualTo(a.keys());
    }

    @Test
    void keysHaveTheGemsShape() {
        List<RailsPerformanceDataset.Entry> entries = RailsPerformanceDataset.generate(1000, 1).entries();
        assertThat(entries).filteredOn(e -> e.kind().equals("performance")).allSatisfy(e -> assertThat(e.key())
                .matches("performance\\|controller\\|[A-Za-z0-9:]+\\|action\\|\\w+\\|format\\|\\w+\\|status\\|\\d{3}"
                        + "\\|datetime\\|\\d{8}T\\d{4}\\|datetimei\\|\\d+\\|method\\|[A-Z]+\\|path\\|/[\\w/]+"
                        + "\\|request_id\\|[0-9a-f]{24}\\|END\\|1\\.0\\.2")
                .contains("|datetime|" + e.day()));
        assertThat(entries).extracting(RailsPerformanceDataset.Entry::kind)
                .contains("performance", "sidekiq", "grape");
    }

    @Test
    void queriesHaveTheGemsShape() {
        assertThat(RailsPerformanceDataset.dateQuery("20260204")).isEqualTo("performance|*datetime|20260204*|*END|1.0.2");
        assertThat(RailsPerformanceDataset.requestQuery("abc")).isEqualTo("performance|*|request_id|abc|*");
    }

    @Test
    void commandStatsAreParsedFromInfo() {
        String info = "# Commandstats\r\ncmdstat_scan:calls=12,usec=345,usec_per_call=28.75,rejected_calls=0\r\n"
                + "cmdstat_keys:calls=1,usec=900000,usec_per_call=900000.00\r\n";
        assertThat(CommandStats.parse(info, "SCAN")).isEqualTo(new CommandStats(12, 345));
        assertThat(CommandStats.parse(info, "keys")).isEqualTo(new CommandStats(1, 900000));
        assertThat(CommandStats.parse(info, "exists")).isEqualTo(new CommandStats(0, 0));
    }
}
