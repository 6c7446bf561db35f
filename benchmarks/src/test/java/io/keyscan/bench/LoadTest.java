package io.keyscan.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load tests' arguments, checks and readings, without a server. */
class LoadTest {

    @Test
    void defaultsAreTheIssuesRounds() {
        LoadArguments listings = LoadArguments.parse(LoadArguments.Tool.LISTINGS, new String[0]);
        assertThat(listings.concurrency).containsExactly(16, 64, 256);
        assertThat(listings.paths).containsExactly(LoadArguments.ListingKind.FETCH, LoadArguments.ListingKind.SCAN);
        assertThat(listings.keys).isEqualTo(100_000);
        assertThat(listings.pattern).isEqualTo("performance|*");
        assertThat(listings.writes()).isTrue();
        LoadArguments web = LoadArguments.parse(LoadArguments.Tool.WEBFLUX, new String[] {"--app-classpath", "x"});
        assertThat(web.concurrency).containsExactly(16, 64, 128);
        assertThat(web.appHeap).isEqualTo("512m");
    }

    @Test
    void refusesWhatDoesNotApply() {
        assertThatThrownBy(() -> LoadArguments.parse(LoadArguments.Tool.LISTINGS, new String[] {"--concurrency", "0"}))
                .hasMessageContaining("--concurrency must be between 1 and 4096, was 0");
        assertThatThrownBy(() -> LoadArguments.parse(LoadArguments.Tool.LISTINGS, new String[] {"--paths", "keys"}))
                .hasMessageContaining("unknown path 'keys'");
        assertThatThrownBy(() -> LoadArguments.parse(LoadArguments.Tool.LISTINGS, new String[] {"--app-heap", "1g"}))
                .hasMessageContaining("--app-heap is an option of WebFluxLoad");
        assertThatThrownBy(() -> LoadArguments.parse(LoadArguments.Tool.LISTINGS, new String[] {"--heap", "10"}))
                .hasMessageContaining("such as 512m");
        assertThatThrownBy(() -> LoadArguments.parse(LoadArguments.Tool.WEBFLUX, new String[0]))
                .hasMessageContaining("--app-classpath is required");
        assertThatThrownBy(() -> LoadArguments.parse(LoadArguments.Tool.LISTINGS, new String[] {"--load"}))
                .hasMessageContaining("--load needs --redis-url");
        assertThat(LoadArguments.parse(LoadArguments.Tool.LISTINGS,
                new String[] {"--concurrency", "256,16", "--paths", "scan", "--heap", "4G"}))
                .satisfies(parsed -> {
                    assertThat(parsed.concurrency).containsExactly(16, 256);
                    assertThat(parsed.paths).containsExactly(LoadArguments.ListingKind.SCAN);
                    assertThat(parsed.heap).isEqualTo("4g");
                });
    }

    @Test
    void aStreamIsExactOnlyWithEveryKeyOnceAndNothingElse() {
        ExpectedKeys expected = new ExpectedKeys(List.of("a", "b", "c"));
        ExpectedKeys.Tally complete = expected.tally();
        List.of("c", "a", "b").forEach(complete::add);
        assertThat(complete.verdict()).isNull();

        ExpectedKeys.Tally short1 = expected.tally();
        List.of("c", "a").forEach(short1::add);
        assertThat(short1.verdict()).isEqualTo("2 of 3 keys; the first missing: 'b'");

        ExpectedKeys.Tally twice = expected.tally();
        List.of("a", "b", "a", "c").forEach(twice::add);
        assertThat(twice.verdict()).isEqualTo("a key twice: 'a'");

        ExpectedKeys.Tally stranger = expected.tally();
        List.of("a", "b", "c", "d").forEach(stranger::add);
        assertThat(stranger.verdict()).isEqualTo("a key KEYS does not have: 'd'");

        assertThat(expected.checkList(List.of("a", "b", "c"))).isNull();
        assertThat(expected.checkList(List.of("a", "c"))).contains("first difference at index 1: 'c' vs 'b'");
        assertThatThrownBy(() -> new ExpectedKeys(List.of("b", "a"))).hasMessageContaining("not sorted");
    }

    @Test
    void readsJsonLinesStatusFieldsAndGcLogs(@TempDir Path dir) throws IOException {
        assertThat(WebFluxLoad.jsonString("\"performance|a\\\"b\\\\c\\u00e9\"")).isEqualTo("performance|a\"b\\cé");
        assertThat(WebFluxLoad.literalPrefix("performance|*")).isEqualTo("performance|");
        assertThat(ProcessMemory.parse("Name:\tjava\nVmHWM:\t  733428 kB\nVmRSS:\t  1024 kB\n", "VmHWM:"))
                .isEqualTo(733428L * 1024);
        assertThat(ProcessMemory.parse("Name:\tjava\n", "VmHWM:")).isEqualTo(-1);
        Path log = dir.resolve("gc.log");
        Files.writeString(log, String.join("\n",
                "[0.010s][info][gc] Using G1",
                "[309.333s][info][gc] GC(382) Pause Young (Prepare Mixed) (G1 Evacuation Pause) 383M->358M(512M) 43.601ms",
                "[312.605s][info][gc] GC(387) Pause Remark 408M->359M(512M) 6.4ms",
                "[312.651s][info][gc] GC(387) Pause Cleanup 361M->361M(512M) 2.553ms"));
        WebFluxLoad.GcLog read = WebFluxLoad.GcLog.read(log);
        assertThat(read.peakBeforeMegabytes()).isEqualTo(408);
        assertThat(read.peakAfterMegabytes()).isEqualTo(361);
        assertThat(read.pauses()).isEqualTo(3);
    }
}
