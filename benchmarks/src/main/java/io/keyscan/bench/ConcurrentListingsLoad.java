package io.keyscan.bench;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.lettuce.LettuceKeyScanner;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The load test of many listings at once: for each N of {@code --concurrency}, N listings of the same pattern start
 * together through ONE {@link KeyScanner} on one Lettuce connection, with {@code fetchKeys} and with {@code scan}
 * (consumed with bounded demand); every listing is checked against the KEYS answer. Reports the aggregate keys per
 * second, a PING probe's p99.9 and max (another client of the same server, in a JVM of its own), and the measuring
 * JVM's peak heap and peak RSS per round, in {@code results.csv} and {@code results.md}. See
 * {@code benchmarks/README.md}.
 */
public final class ConcurrentListingsLoad {

    /** Set in the JVM that measures; the launching one (Maven's, with exec:java) only starts it. */
    static final String FORKED = "keyscan.load.forked";

    private final LoadArguments arguments;
    private final Path out;
    private final PrintStream progress;
    private final long startNanos = System.nanoTime();
    private final Instant started = Instant.now();
    private final Machine machine = Machine.describe();
    private final List<LoadRow> rows = new ArrayList<>();

    private ConcurrentListingsLoad(LoadArguments arguments, Path out, PrintStream progress) {
        this.arguments = arguments;
        this.out = out;
        this.progress = progress;
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        LoadArguments arguments = LoadArguments.parseOrExit(LoadArguments.Tool.LISTINGS, args);
        if (arguments == null) {
            return;
        }
        if (!Boolean.getBoolean(FORKED)) {
            // The JVM measured must be this test's alone (Maven's own heap and RSS are not the listings'), with the
            // heap asked for.
            List<String> options = List.of("-Xmx" + arguments.heap, "-D" + FORKED + "=true");
            MeasuringJvm.runAndExit(ConcurrentListingsLoad.class, options, args);
            return;
        }
        Path out = arguments.out != null ? arguments.out : LoadReport.defaultOut("load");
        ConcurrentListingsLoad load = new ConcurrentListingsLoad(arguments, out, System.err);
        LoadReport.runAndExit(() -> load.execute(args), load.startNanos, out);
    }

    private boolean execute(String[] args) throws IOException {
        Files.createDirectories(out);
        say("Results folder: " + out.toAbsolutePath().normalize());
        try (LoadTarget target = LoadTarget.open(arguments, this::say);
                Probes probe = Probes.start(List.of(target.uri()));
                HeapWatch watch = new HeapWatch()) {
            RedisClient client = RedisClient.create(target.uri());
            StatefulRedisConnection<String, String> connection = client.connect();
            KeyScanner scanner = LettuceKeyScanner.create(connection, KeyScanOptions.builder().useScan(true).build());
            try {
                for (LoadArguments.ListingKind kind : arguments.paths) { // warm-up, checked, not reported
                    ListingOutcome warm = listing(scanner, kind, target.expected).block();
                    say(kind.label() + " warm-up: " + (warm.problem() == null ? "exact" : "DIFFERS: " + warm.problem())
                            + ", " + Stats.millis(warm.nanos() / 1e6) + " ms");
                }
                for (int n : arguments.concurrency) {
                    for (LoadArguments.ListingKind kind : arguments.paths) {
                        rows.add(round(scanner, kind, n, target.expected, probe, watch));
                        write(target, args);
                    }
                }
            } finally {
                scanner.close();
                connection.close();
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
        return rows.stream().allMatch(LoadRow::allExact);
    }

    private Mono<ListingOutcome> listing(KeyScanner scanner, LoadArguments.ListingKind kind, ExpectedKeys expected) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            Mono<@Nullable String> checked;
            if (kind == LoadArguments.ListingKind.FETCH) {
                // compared whole, then dropped: the list is held only as long as fetchKeys' caller would hold it
                checked = scanner.fetchKeys(arguments.pattern).map(keys -> {
                    String problem = expected.checkList(keys);
                    return problem == null ? "" : problem;
                });
            } else {
                // bounded demand: publishOn asks for --demand keys, then for more as three quarters are consumed
                ExpectedKeys.Tally tally = expected.tally();
                checked = scanner.scan(arguments.pattern)
                        .publishOn(Schedulers.parallel(), arguments.demand)
                        .doOnNext(tally::add)
                        .then(Mono.fromCallable(() -> {
                            String problem = tally.verdict();
                            return problem == null ? "" : problem;
                        }));
            }
            return checked.map(problem -> new ListingOutcome(problem.isEmpty() ? null : problem, System.nanoTime() - start))
                    .onErrorResume(error -> Mono.just(new ListingOutcome("failed: " + error, System.nanoTime() - start)));
        });
    }

    private LoadRow round(KeyScanner scanner, LoadArguments.ListingKind kind, int n, ExpectedKeys expected,
            Probes probe, HeapWatch watch) {
        System.gc(); // the previous round's garbage is not this one's peak
        boolean rssReset = watch.reset();
        double rssBefore = watch.rssBytes() / 1048576.0;
        String loadBefore = Machine.loadAverage();
        say(String.format(Locale.ROOT, "N=%d %s: starting %d listings of %s at once; load average %s", n,
                kind.label(), n, arguments.pattern, loadBefore));
        probe.reset();
        long start = System.nanoTime();
        List<ListingOutcome> outcomes = Flux.range(0, n)
                .flatMap(i -> listing(scanner, kind, expected), n)
                .collectList()
                .block(Duration.ofMinutes(arguments.timeoutMinutes));
        double wall = (System.nanoTime() - start) / 1e9;
        Probes.Reading probed = probe.read();
        String loadAfter = Machine.loadAverage();
        ListingOutcome.Tally tally = ListingOutcome.Tally.of(outcomes);
        Histogram roundTrips = probed.roundTrips();
        LoadRow row = new LoadRow(kind.label(), n, expected.size(), tally.exact(), n - tally.exact(), wall, tally.medianSeconds(),
                tally.maxSeconds(),
                Stats.percentileMillis(roundTrips, 99.9), probed.maxMillis(), watch.peakHeapBytes() / 1048576.0, watch.liveHeapBytes() / 1048576.0,
                rssReset ? watch.peakRssBytes() / 1048576.0 : -1, rssBefore, watch.collections(),
                watch.pauseMillis(), loadBefore, loadAfter);
        say(String.format(Locale.ROOT, "N=%d %s: %d/%d exact in %s s, %,d keys/s, probe p99.9 %s ms max %s ms, "
                + "peak heap %,d MB (largest after a GC %,d MB), peak RSS %,d MB (%,d before), %d GCs (%,d ms); load average %s%s", n,
                kind.label(), tally.exact(), n, Stats.fixed(wall, 1), Math.round(row.keysPerSecond()),
                Stats.millis(row.probeP999Millis()), Stats.millis(row.probeMaxMillis()),
                Math.round(row.peakHeapMegabytes()), Math.round(row.liveHeapMegabytes()), Math.round(row.peakRssMegabytes()), Math.round(rssBefore),
                row.collections(), row.gcPauseMillis(), loadAfter,
                tally.firstProblem() == null ? "" : "\n    FIRST PROBLEM: " + tally.firstProblem()));
        return row;
    }

    private void write(LoadTarget target, String[] args) throws IOException {
        LoadReport.writeCsv(out.resolve("results.csv"), rows);
        List<String> facts = List.of(
                "command: `" + command(args) + "`",
                "server: " + target.description,
                String.format(Locale.ROOT, "every listing: `%s`, %,d keys (the KEYS answer each is checked against)",
                        arguments.pattern, target.expected.size()),
                "one KeyScanner (`useScan(true)`, auto-tuned COUNT, other options default) on ONE Lettuce connection "
                        + "carries every listing; `scan` is consumed through `publishOn(parallel, " + arguments.demand
                        + ")` (bounded demand), each key checked off against the answer as it comes; `fetchKeys`' "
                        + "list is compared whole and dropped",
                "measuring JVM: -Xmx" + arguments.heap + ", " + ManagementFactory.getRuntimeMXBean().getVmName() + " "
                        + System.getProperty("java.runtime.version") + ", " + machine.jdk().replaceAll(".*measuring with ",
                        "collectors: "),
                "machine: " + machine.cores() + " cores, " + machine.memory() + ", " + machine.os()
                        + "; shared with other work: see the load averages",
                "keyscan commit: " + machine.commit(),
                "peak heap: the heap in use just before each collection (GC notifications) and sampled every "
                        + HeapWatch.SAMPLE_MILLIS + " ms; peak RSS: VmHWM of /proc/self/status, reset before each "
                        + "round (clear_refs), so it includes memory the JVM kept committed from earlier rounds");
        LoadReport.writeMarkdown(out.resolve("results.md"), "Concurrent listings through one connection", started,
                facts, rows, List.of());
    }

    private static String command(String[] args) {
        String joined = String.join(" ", List.of(args));
        return "./mvnw -q -B -pl benchmarks -am compile exec:java -Dexec.mainClass="
                + ConcurrentListingsLoad.class.getName() + (joined.isEmpty() ? "" : " -Dexec.args=\"" + joined + "\"");
    }

    private void say(String line) {
        progress.printf(Locale.ROOT, "[%8s] %s%n", Stats.duration(System.nanoTime() - startNanos), line);
        progress.flush();
    }
}
