package io.keyscan.bench;

import io.keyscan.testkit.LatencyProbe;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.RailsPerformanceDataset;
import io.keyscan.testkit.RedisBinary;
import io.keyscan.testkit.RedisServer;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * The on-demand KEYS-vs-SCAN benchmark: for rails_performance-shaped datasets of several sizes and several query
 * classes, times KEYS, SCAN at fixed COUNTs, keyscan's auto-tuned SCAN and Lettuce's {@code ScanStream}, and
 * records what each cost the server (SCAN calls, longest single call) and other clients (a PING probe's longest
 * delay). Writes {@code results.csv}, {@code runs.csv}, {@code results.md} and {@code chart.png} into a results
 * folder. With {@code --cluster} (or {@code --cluster-url}) the same over the masters of a Redis Cluster. See
 * {@code benchmarks/README.md}.
 */
public final class KeysVersusScanBenchmark {

    /** The dataset seed: the same keys on every run (the demo's seed). */
    static final long SEED = 20260204L;

    /** The longest wait for the probe's PING in flight at the end of a listing. */
    static final long PROBE_SETTLE_MILLIS = 5_000;

    private final Arguments arguments;
    private final Path out;
    private final PrintStream progress;
    private final long startNanos = System.nanoTime();
    private final Instant started = Instant.now();
    private final Machine machine = Machine.describe(); // at the start: the commit measured, not a later one
    private final List<RunSample> samples = new ArrayList<>();
    private final Map<Long, Map<String, String>> patterns = new TreeMap<>();
    private final Map<Long, String> loadAtStart = new TreeMap<>();

    private KeysVersusScanBenchmark(Arguments arguments, Path out, PrintStream progress) {
        this.arguments = arguments;
        this.out = out;
        this.progress = progress;
    }

    /** Set in the JVM that measures; the launching one only starts it. */
    static final String FORKED = "keyscan.benchmark.forked";

    public static void main(String[] args) throws IOException, InterruptedException {
        if (!Boolean.getBoolean(FORKED)) {
            // Measure in a JVM with the serial collector: on a machine with few cores, a parallel collector's
            // pause takes every core and stalls the Redis server mid-call, which would count as its SCAN time and
            // as the probe's delay. (Same reason as the ITs' argLine.)
            List<String> options = List.of("-XX:+UseSerialGC", "-Xmx4g", "-D" + FORKED + "=true",
                    "-Djava.awt.headless=true");
            MeasuringJvm.runAndExit(KeysVersusScanBenchmark.class, options, args);
            return;
        }
        System.setProperty("java.awt.headless", "true");
        System.exit(run(args, System.err));
    }

    /** Runs the benchmark; 0 when every path agreed and the results are written, 1 on a failure, 2 on bad arguments. */
    static int run(String[] args, PrintStream err) {
        Arguments arguments;
        try {
            arguments = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(Arguments.USAGE);
            return 2;
        }
        if (arguments.help) {
            System.out.println(Arguments.USAGE);
            return 0;
        }
        if (arguments.server != null) {
            try { // a matrix name must be built; the binary must answer --version
                RedisBinary.named(arguments.server, "--server");
                System.setProperty(RedisBinary.PROPERTY_BINARY, arguments.server);
            } catch (IllegalStateException e) {
                err.println("error: " + e.getMessage());
                return 2;
            }
        }
        Path out = arguments.out != null ? arguments.out : defaultOut(arguments.isCluster());
        KeysVersusScanBenchmark benchmark = new KeysVersusScanBenchmark(arguments, out, err);
        try {
            benchmark.execute(args);
            err.println();
            err.println("Done in " + Stats.duration(System.nanoTime() - benchmark.startNanos) + ". Results: "
                    + out.toAbsolutePath().normalize());
            return 0;
        } catch (PathMismatchException e) {
            err.println();
            err.println("************************************************************************");
            err.println("FAILED: a path returned a different answer. Results of this dataset are not written; the");
            err.println("folder holds only the datasets finished before it (marked incomplete), if any.");
            err.println(e.getMessage());
            err.println("************************************************************************");
            return 1;
        } catch (RuntimeException | IOException e) {
            err.println();
            err.println("FAILED: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    /** {@code benchmarks/results/<timestamp>/}, or {@code benchmarks/results/cluster/<timestamp>/} for a cluster. */
    static Path defaultOut(boolean cluster) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String moduleDir = System.getProperty("keyscan.benchmarks.dir");
        Path base;
        if (moduleDir != null && !moduleDir.isBlank()) {
            base = Path.of(moduleDir);
        } else if (Files.isDirectory(Path.of("benchmarks"))) {
            base = Path.of("benchmarks");
        } else {
            base = Path.of(".");
        }
        Path results = base.resolve("results");
        return cluster ? results.resolve("cluster").resolve(stamp) : results.resolve(stamp);
    }

    private void execute(String[] args) throws IOException {
        Files.createDirectories(out);
        say("Results folder: " + out.toAbsolutePath().normalize());
        if (arguments.cluster) {
            say("Starting a Redis Cluster of 3 masters and 3 replicas ...");
        }
        try (Target target = arguments.cluster ? Target.ownCluster()
                : arguments.clusterUrl != null ? Target.externalCluster(arguments.clusterUrl)
                : Target.standalone(arguments.redisUrl, arguments.server != null, arguments.addedRttNanos)) {
            String version = target.version();
            say(version + ": " + target.source());
            if (target.clusterDescription() != null) {
                say("Cluster: " + target.clusterDescription());
            }
            if (target.network() != null) {
                say("Network: " + target.network());
            }
            List<RedisServer> servers = target.servers();
            try (CallTimers timer = CallTimers.configure(servers);
                    Probes probe = Probes.start(target.probeUris())) {
                // After a Ctrl-C, only a server that outlives the benchmark needs its settings back. Processes the
                // benchmark started (LocalRedisServer) are stopped by the same shutdown, and restoring settings on a
                // server already gone would hold the JVM's exit for a command timeout per setting. (Without
                // --redis-url, KEYSCAN_TEST_REDIS_URL or Docker may still supply a server that lives on.)
                boolean ownServers = servers.stream().allMatch(server -> server instanceof LocalRedisServer);
                @Nullable Thread restore = ownServers ? null : new Thread(timer::close, "keyscan-bench-restore-config");
                if (restore != null) {
                    Runtime.getRuntime().addShutdownHook(restore);
                }
                say("Longest single call measured with " + timer.method()
                        + (timer.method() == ServerCallTimer.Method.LATENCYSTATS
                                ? " (INFO latencystats p100; SLOWLOG for calls of 100 ms and more)" : "")
                        + (servers.size() > 1 ? " on each of the " + servers.size() + " masters; a PING probe on "
                                + "each master, the longest PING of them counted" : ""));
                List<ListingPath> paths = target.paths(arguments.counts, arguments.paths);
                try {
                    if (arguments.writes()) {
                        for (int size : arguments.sizes) {
                            RailsPerformanceDataset dataset = load(target, size);
                            measureDataset(size, QueryClass.forDataset(arguments.classes, dataset), dataset,
                                    paths, timer, probe);
                            writeResults(target, timer, probe, args,
                                    size == arguments.sizes.get(arguments.sizes.size() - 1));
                        }
                    } else {
                        long dbsize = target.dbsize();
                        if (dbsize == 0) {
                            throw new IllegalStateException("the " + (target.clusterDescription() == null
                                    ? "server holds no keys in this database" : "cluster's masters hold no keys")
                                    + ": nothing to list (--load writes the benchmark's datasets into a server)");
                        }
                        say(String.format(Locale.ROOT, "Reading the %,d keys the %s (read-only%s). KEYS blocks the "
                                + "server%s for the whole of each call.", dbsize,
                                target.clusterDescription() == null ? "server holds" : "masters hold",
                                target.clusterDescription() == null ? "; --load writes datasets" : "",
                                target.clusterDescription() == null ? "" : "s"));
                        RedisCommands<String, String> admin = target.keyHolder();
                        List<QueryClass> classes = QueryClass.readOnly(arguments.classes, findRequestId(admin),
                                existingKey(admin));
                        measureDataset(dbsize, classes, null, paths, timer, probe);
                        writeResults(target, timer, probe, args, true);
                    }
                } finally {
                    for (ListingPath path : paths) {
                        path.close();
                    }
                    if (restore != null) {
                        try { // the timers themselves are closed (the servers' settings restored) with the resources
                            Runtime.getRuntime().removeShutdownHook(restore);
                        } catch (IllegalStateException shuttingDown) {
                            // the hook runs anyway
                        }
                    }
                }
            }
        }
    }

    private RailsPerformanceDataset load(Target target, int size) {
        say(String.format(Locale.ROOT, "%,d keys: %s and load ...", size, target.emptying()));
        long start = System.nanoTime();
        RailsPerformanceDataset dataset = RailsPerformanceDataset.generate(size, SEED);
        target.load(dataset);
        say(String.format(Locale.ROOT, "%,d keys: loaded in %s", size, Stats.duration(System.nanoTime() - start)));
        return dataset;
    }

    private void measureDataset(long size, List<QueryClass> classes,
            @Nullable RailsPerformanceDataset dataset, List<ListingPath> paths, CallTimers timer, Probes probe) {
        Map<String, String> classPatterns = new LinkedHashMap<>();
        for (QueryClass queryClass : classes) {
            classPatterns.put(queryClass.name(), queryClass.pattern());
        }
        patterns.put(size, classPatterns);
        int runs = arguments.runsFor(size);
        String load = Machine.loadAverage();
        loadAtStart.put(size, load);
        say(String.format(Locale.ROOT, "%,d keys: load average (1, 5, 15 min) %s", size, load));

        // Warm-up: each path once, unmeasured (and checked), with the first class.
        QueryClass first = classes.get(0);
        List<String> warmReference = dataset != null && first.expected() != null
                ? dataset.sortedKeys(first.expected()) : null;
        for (ListingPath path : paths) {
            long start = System.nanoTime();
            List<String> keys = path.fetch(first.pattern());
            if (warmReference == null) {
                warmReference = keys;
            }
            check(keys, warmReference, path, first, size, "warm-up", dataset != null);
            say(String.format(Locale.ROOT, "%,d keys | %s | %s | warm-up | %s ms", size, first.name(), path.label(),
                    Stats.millis((System.nanoTime() - start) / 1e6)));
        }

        for (QueryClass queryClass : classes) {
            List<String> reference = dataset != null && queryClass.expected() != null
                    ? dataset.sortedKeys(queryClass.expected()) : null;
            // Runs go round the paths (run 1 of every path, then run 2...), so drift spreads over all paths.
            for (int run = 1; run <= runs; run++) {
                for (ListingPath path : paths) {
                    System.gc(); // the previous listing's garbage is not collected on this one's clock
                    probe.reset();
                    timer.beforeRun();
                    long start = System.nanoTime();
                    List<String> keys = path.fetch(queryClass.pattern());
                    double wallMillis = (System.nanoTime() - start) / 1e6;
                    ServerCallTimer.RunCalls calls = timer.afterRun(path.serverCommand());
                    Probes.Reading probed = probe.read();
                    double probeMillis = probed.maxMillis();
                    Histogram roundTrips = probed.roundTrips();
                    if (reference == null) {
                        reference = keys; // read-only: KEYS, the first path, is the reference
                    }
                    check(keys, reference, path, queryClass, size, "run " + run, dataset != null);
                    double serverMillis = calls.serverMicros() / 1000.0;
                    samples.add(new RunSample(size, queryClass.name(), path.name(), path.count(), run, wallMillis,
                            calls.scanCalls(), calls.maxCallMicros(), probeMillis, keys.size(), serverMillis,
                            roundTrips));
                    say(String.format(Locale.ROOT, "%,d keys | %s | %s | run %d/%d | %s ms | server %s ms | %s SCAN "
                            + "calls | longest call %s µs | probe max %s ms, p99.9 %s ms", size, queryClass.name(),
                            path.label(), run, runs, Stats.millis(wallMillis), Stats.millis(serverMillis),
                            calls.scanCalls(), calls.maxCallMicros() == null ? "n/a" : String.format(Locale.ROOT,
                                    "%,d", calls.maxCallMicros()), Stats.millis(probeMillis),
                            Stats.millis(Stats.percentileMillis(roundTrips, 99.9))));
                }
            }
        }
    }

    /**
     * Waits until the PING that was in flight when the listing ended has completed: the probe counts completed
     * PINGs only, so a PING held up by a KEYS call that returns few keys would otherwise be read before it completes
     * and its delay missed. Waits for one more PING to complete (one is in flight at a time), at most
     * {@value #PROBE_SETTLE_MILLIS} ms.
     */
    static void settle(LatencyProbe probe) {
        long completed = probe.pings();
        long deadline = System.nanoTime() + PROBE_SETTLE_MILLIS * 1_000_000L;
        while (probe.pings() <= completed && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1); // the probe is another process: nothing to wait on but its answers
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    /** Fails the run, loudly, when {@code keys} is not exactly {@code reference}. */
    static void check(List<String> keys, List<String> reference, ListingPath path, QueryClass queryClass, long size,
            String when, boolean datasetReference) {
        if (keys.equals(reference)) {
            return;
        }
        int i = 0;
        while (i < keys.size() && i < reference.size() && keys.get(i).equals(reference.get(i))) {
            i++;
        }
        String referenceName = datasetReference ? "the loaded dataset" : "KEYS";
        throw new PathMismatchException(String.format(Locale.ROOT,
                "%s (%s) over %,d keys, class %s, pattern %s: %,d keys, but %s has %,d; first difference at index "
                        + "%d: %s vs %s",
                path.label(), when, size, queryClass.name(), queryClass.pattern(), keys.size(), referenceName,
                reference.size(), i, i < keys.size() ? "'" + keys.get(i) + "'" : "(end)",
                i < reference.size() ? "'" + reference.get(i) + "'" : "(end)"));
    }

    /** A request id of a rails_performance request record on the server, or {@code null}. */
    private static @Nullable String findRequestId(RedisCommands<String, String> admin) {
        for (int i = 0; i < 200; i++) {
            String key = admin.randomkey();
            if (key == null) {
                return null;
            }
            int at = key.indexOf("|request_id|");
            if (key.startsWith("performance|") && at >= 0) {
                int from = at + "|request_id|".length();
                int to = key.indexOf('|', from);
                return to < 0 ? key.substring(from) : key.substring(from, to);
            }
        }
        return null;
    }

    private static String existingKey(RedisCommands<String, String> admin) {
        String key = admin.randomkey();
        if (key == null) {
            throw new IllegalStateException("the server holds no keys");
        }
        return key;
    }

    private void writeResults(Target target, CallTimers timer, Probes probe, String[] args, boolean complete)
            throws IOException {
        List<ResultRow> rows = Summary.rows(samples);
        String runs = arguments.runs + " measured runs per path"
                + (arguments.largeRuns != null && arguments.largeRuns != arguments.runs
                        ? String.format(Locale.ROOT, " (%d for %,d keys and more)", arguments.largeRuns, Arguments.LARGE)
                        : "")
                + ", median reported; one unmeasured warm-up run per path and dataset before; runs go round the "
                + "paths; a `System.gc()` before each run";
        Reports.RunInfo info = new Reports.RunInfo(started, command(args), machine, target.version(), target.source(),
                runs, timer.description(), patterns, loadSummary(), System.nanoTime() - startNanos, complete,
                !arguments.writes(), target.clusterDescription(), probe.size(), target.network());
        Reports.writeCsv(out.resolve("results.csv"), rows);
        Reports.writeRunsCsv(out.resolve("runs.csv"), samples);
        Reports.writeMarkdown(out.resolve("results.md"), info, rows);
        String subtitle = String.format(Locale.ROOT, "median of %s runs per point; %s%s%s; %d cores; %s",
                arguments.largeRuns != null && arguments.largeRuns != arguments.runs
                        ? arguments.runs + " (" + arguments.largeRuns + " at 1M+)" : Integer.toString(arguments.runs),
                target.version(), target.clusterDescription() == null ? ""
                        : ", cluster of " + target.servers().size() + " masters, probe max over one probe per master",
                arguments.addedRttNanos == 0 ? "" : ", " + Stats.fixed(arguments.addedRttNanos / 1e6, 2)
                        + " ms added round trip",
                machine.cores(), DateTimeFormatter.ISO_LOCAL_DATE.format(started.atZone(java.time.ZoneOffset.UTC)));
        String title = target.clusterDescription() == null ? ChartWriter.TITLE : ChartWriter.CLUSTER_TITLE;
        try {
            ChartWriter.write(out.resolve("chart.png"), rows, title, subtitle);
        } catch (IOException | RuntimeException | LinkageError e) {
            say("warning: chart.png not drawn: " + e);
        }
        say("Wrote results.csv, runs.csv, results.md, chart.png" + (complete ? "" : " (so far)"));
    }

    /** The machine's load average before each dataset and now: other work on the machine shows up here. */
    private String loadSummary() {
        StringBuilder summary = new StringBuilder();
        for (Map.Entry<Long, String> entry : loadAtStart.entrySet()) {
            summary.append(String.format(Locale.ROOT, "%,d keys: %s; ", entry.getKey(), entry.getValue()));
        }
        return summary.append("at the end: ").append(Machine.loadAverage()).toString();
    }

    /** The command as a person would type it again. */
    private static String command(String[] args) {
        StringBuilder joined = new StringBuilder();
        for (String arg : args) {
            if (joined.length() > 0) {
                joined.append(' ');
            }
            joined.append(arg.matches("[A-Za-z0-9_.,/:=@+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'");
        }
        if (System.getProperty("maven.home") != null) {
            return "./mvnw -q -pl benchmarks -am compile exec:java"
                    + (joined.length() == 0 ? "" : " -Dexec.args=\"" + joined + "\"");
        }
        return "java -cp benchmarks/target/benchmarks.jar " + KeysVersusScanBenchmark.class.getName()
                + (joined.length() == 0 ? "" : " " + joined);
    }

    private void say(String line) {
        progress.printf(Locale.ROOT, "[%8s] %s%n", Stats.duration(System.nanoTime() - startNanos), line);
        progress.flush();
    }

    /** A path returned something else than the reference answer. */
    static final class PathMismatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PathMismatchException(String message) {
            super(message);
        }
    }
}
