package io.keyscan.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * The WebFlux example under load: for each N of {@code --concurrency}, starts the example application
 * ({@code io.keyscan.examples.web.KeyScanWebApplication}) as a JVM of its own at {@code --app-heap} against a server
 * holding the dataset, lets N HTTP clients stream {@code GET /keys?pattern=P} at once (each reading as fast as it
 * can) and checks every response, line by line, against the KEYS answer. Reports the aggregate keys per second, a
 * PING probe's p99.9 and max, and the app's peak heap (its GC log) and peak RSS ({@code VmHWM}), then stops the app:
 * a fresh JVM per round. Run through {@code benchmarks/webflux-load.sh}; see {@code benchmarks/README.md}.
 */
public final class WebFluxLoad {

    static final String APP_MAIN = "io.keyscan.examples.web.KeyScanWebApplication";
    private static final Pattern PORT = Pattern.compile("Netty started on port (\\d+)");
    private static final Pattern GC_PAUSE =
            Pattern.compile("Pause .*? (\\d+)M->(\\d+)M\\((\\d+)M\\) (\\d+(?:\\.\\d+)?)ms");

    private final LoadArguments arguments;
    private final Path out;
    private final PrintStream progress;
    private final long startNanos = System.nanoTime();
    private final Instant started = Instant.now();
    private final Machine machine = Machine.describe();
    private final List<LoadRow> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private WebFluxLoad(LoadArguments arguments, Path out, PrintStream progress) {
        this.arguments = arguments;
        this.out = out;
        this.progress = progress;
    }

    public static void main(String[] args) {
        LoadArguments arguments = LoadArguments.parseOrExit(LoadArguments.Tool.WEBFLUX, args);
        if (arguments == null) {
            return;
        }
        Path out = arguments.out != null ? arguments.out : LoadReport.defaultOut("webflux-load");
        WebFluxLoad load = new WebFluxLoad(arguments, out, System.err);
        LoadReport.runAndExit(() -> load.execute(args), load.startNanos, out);
    }

    private boolean execute(String[] args) throws IOException, InterruptedException {
        Files.createDirectories(out);
        say("Results folder: " + out.toAbsolutePath().normalize());
        try (LoadTarget target = LoadTarget.open(arguments, this::say);
                Probes probe = Probes.start(List.of(target.uri()))) {
            for (int n : arguments.concurrency) {
                rows.add(round(n, target, probe));
                write(target, args);
            }
        }
        return rows.stream().allMatch(LoadRow::allExact);
    }

    private LoadRow round(int n, LoadTarget target, Probes probe) throws IOException, InterruptedException {
        Path gcLog = out.resolve("app-" + n + "-gc.txt");
        Path appLog = out.resolve("app-" + n + "-output.txt");
        App app = App.start(arguments, target, gcLog, appLog);
        try {
            int port = app.awaitPort(Duration.ofMinutes(3));
            ProcessMemory memory = ProcessMemory.of(app.pid());
            double rssBefore = memory.rssBytes() / 1048576.0;
            jcmd(app.pid(), out.resolve("app-" + n + "-nmt-before.txt"), "VM.native_memory", "summary");
            String loadBefore = Machine.loadAverage();
            say(String.format(Locale.ROOT, "N=%d GET /keys: app pid %d on port %d (RSS %,d MB); starting %d clients; "
                    + "load average %s", n, app.pid(), port, Math.round(rssBefore), n, loadBefore));
            URI uri = URI.create("http://127.0.0.1:" + port + "/keys?pattern="
                    + URLEncoder.encode(arguments.pattern, StandardCharsets.UTF_8));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(30)).build();
            AtomicLong received = new AtomicLong();
            long halfway = (long) n * target.expected.size() / 2;
            AtomicBoolean diagnosed = new AtomicBoolean();
            ExecutorService clients = Executors.newFixedThreadPool(n, runnable -> {
                Thread thread = new Thread(runnable, "keyscan-load-http-client");
                thread.setDaemon(true);
                return thread;
            });
            probe.reset();
            long start = System.nanoTime();
            List<Future<ListingOutcome>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(clients.submit(() -> stream(http, uri, target.expected, received, () -> {
                    // halfway through the round: what the app holds while every stream is open
                    if (received.get() >= halfway && diagnosed.compareAndSet(false, true)) {
                        CompletableFuture.runAsync(() -> {
                            jcmd(app.pid(), out.resolve("app-" + n + "-nmt-halfway.txt"), "VM.native_memory",
                                    "summary");
                            jcmd(app.pid(), out.resolve("app-" + n + "-heap-halfway.txt"), "GC.heap_info");
                            // a live histogram: one full collection in the round, the price of seeing what is held
                            Path histogram = out.resolve("app-" + n + "-histogram-halfway.txt");
                            jcmd(app.pid(), histogram, "GC.class_histogram");
                            keepFirstLines(histogram, 40);
                        });
                    }
                })));
            }
            List<ListingOutcome> outcomes = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(arguments.timeoutMinutes);
            for (Future<ListingOutcome> future : futures) {
                try {
                    outcomes.add(future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (ExecutionException e) {
                    outcomes.add(new ListingOutcome("failed: " + e.getCause(), System.nanoTime() - start));
                } catch (TimeoutException e) {
                    outcomes.add(new ListingOutcome("did not end within --timeout " + arguments.timeoutMinutes
                            + " minutes", System.nanoTime() - start));
                    future.cancel(true);
                }
            }
            double wall = (System.nanoTime() - start) / 1e9;
            clients.shutdownNow();
            Probes.Reading probed = probe.read();
            String loadAfter = Machine.loadAverage();
            double peakRss = memory.peakRssBytes() / 1048576.0;
            jcmd(app.pid(), out.resolve("app-" + n + "-nmt-after.txt"), "VM.native_memory", "summary");
            GcLog gc = GcLog.read(gcLog);
            ListingOutcome.Tally tally = ListingOutcome.Tally.of(outcomes);
            Histogram roundTrips = probed.roundTrips();
            LoadRow row = new LoadRow("GET /keys", n, target.expected.size(), tally.exact(), n - tally.exact(), wall,
                    tally.medianSeconds(), tally.maxSeconds(),
                    Stats.percentileMillis(roundTrips, 99.9), probed.maxMillis(), gc.peakBeforeMegabytes, gc.peakAfterMegabytes, peakRss,
                    rssBefore, gc.pauses, Math.round(gc.pauseMillis), loadBefore, loadAfter);
            say(String.format(Locale.ROOT, "N=%d GET /keys: %d/%d exact in %s s, %,d keys/s, probe p99.9 %s ms max %s "
                    + "ms, app peak heap %,d MB (largest after a GC %,d MB), peak RSS %,d MB (%,d before), %d GC "
                    + "pauses (%,d ms); load average %s%s", n, tally.exact(), n, Stats.fixed(wall, 1),
                    Math.round(row.keysPerSecond()), Stats.millis(row.probeP999Millis()),
                    Stats.millis(row.probeMaxMillis()), Math.round(gc.peakBeforeMegabytes),
                    Math.round(gc.peakAfterMegabytes), Math.round(peakRss), Math.round(rssBefore), gc.pauses,
                    Math.round(gc.pauseMillis), loadAfter,
                    tally.firstProblem() == null ? "" : "\n    FIRST PROBLEM: " + tally.firstProblem()));
            notes.add(String.format(Locale.ROOT, "N=%d: the app's largest heap after a collection (an upper bound of what stayed live) "
                    + "%,d MB; NMT summaries before, halfway and after: `app-%d-nmt-*.txt`; GC log `app-%d-gc.txt`.",
                    n, Math.round(gc.peakAfterMegabytes), n, n));
            return row;
        } finally {
            app.stop();
        }
    }

    /** GET {@code uri} and check the NDJSON body line by line; an incomplete response is a failure. */
    private static ListingOutcome stream(HttpClient http, URI uri, ExpectedKeys expected, AtomicLong received,
            Runnable progress) {
        long start = System.nanoTime();
        ExpectedKeys.Tally tally = expected.tally();
        try {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).GET()
                    .timeout(Duration.ofMinutes(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(),
                    StandardCharsets.UTF_8), 1 << 16)) {
                if (response.statusCode() != 200) {
                    return new ListingOutcome("status " + response.statusCode() + ": " + lines.readLine(),
                            System.nanoTime() - start);
                }
                long count = 0;
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (!line.startsWith("\"")) {
                        return new ListingOutcome("a line that is not a key: " + line, System.nanoTime() - start);
                    }
                    tally.add(jsonString(line));
                    if (++count % 1000 == 0) {
                        received.addAndGet(1000);
                        progress.run();
                    }
                }
                received.addAndGet(count % 1000);
            }
        } catch (IOException | RuntimeException e) {
            return new ListingOutcome("incomplete response after " + tally.received() + " keys: " + e,
                    System.nanoTime() - start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ListingOutcome("interrupted", System.nanoTime() - start);
        }
        return new ListingOutcome(tally.verdict(), System.nanoTime() - start);
    }

    /** The string of a JSON string literal line, {@code "a\"b"} → {@code a"b}. */
    static String jsonString(String line) {
        String body = line.trim();
        if (body.length() < 2 || body.charAt(0) != '"' || body.charAt(body.length() - 1) != '"') {
            throw new IllegalArgumentException("not a JSON string: " + line);
        }
        StringBuilder text = new StringBuilder(body.length());
        for (int i = 1; i < body.length() - 1; i++) {
            char c = body.charAt(i);
            if (c != '\\') {
                text.append(c);
                continue;
            }
            char escaped = body.charAt(++i);
            switch (escaped) {
                case 'n' -> text.append('\n');
                case 'r' -> text.append('\r');
                case 't' -> text.append('\t');
                case 'b' -> text.append('\b');
                case 'f' -> text.append('\f');
                case 'u' -> {
                    text.append((char) Integer.parseInt(body.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> text.append(escaped); // \" \\ \/
            }
        }
        return text.toString();
    }

    private static void keepFirstLines(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            Files.write(file, all.subList(0, Math.min(lines, all.size())), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            // the whole output stays
        }
    }

    /** Runs {@code jcmd <pid> <command...>} into {@code file}; a failure is written there instead. */
    private static void jcmd(long pid, Path file, String... command) {
        List<String> line = new ArrayList<>();
        line.add(Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString());
        line.add(Long.toString(pid));
        line.addAll(List.of(command));
        try {
            Process process = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(file.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            try {
                Files.writeString(file, "jcmd failed: " + e);
            } catch (IOException ignored) {
                // nothing to report to
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The app's peak heap from its {@code -Xlog:gc} lines: the heap just before each pause, and just after. */
    record GcLog(double peakBeforeMegabytes, double peakAfterMegabytes, long pauses, double pauseMillis) {
        static GcLog read(Path file) throws IOException {
            double before = 0;
            double after = 0;
            long pauses = 0;
            double millis = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                Matcher m = GC_PAUSE.matcher(line);
                if (m.find()) {
                    before = Math.max(before, Double.parseDouble(m.group(1)));
                    after = Math.max(after, Double.parseDouble(m.group(2)));
                    pauses++;
                    millis += Double.parseDouble(m.group(4));
                }
            }
            return new GcLog(before, after, pauses, millis);
        }
    }

    /** The application's JVM: started here, its output copied to a file and watched for its port. */
    private static final class App {
        private final Process process;
        private final CompletableFuture<Integer> port = new CompletableFuture<>();

        private App(Process process) {
            this.process = process;
        }

        static App start(LoadArguments arguments, LoadTarget target, Path gcLog, Path appLog) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + arguments.appHeap,
                    "-XX:NativeMemoryTracking=summary",
                    "-Xlog:gc:file=" + gcLog.toAbsolutePath(),
                    "-cp", arguments.appClasspath,
                    APP_MAIN,
                    "--redis-url=" + target.uri().toURI(),
                    "--server.port=0",
                    // the pattern must keep to the app's namespace: allow the one listed
                    "--keyscan.examples.allowed-prefix=" + literalPrefix(arguments.pattern)));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            App app = new App(process);
            Thread copier = new Thread(() -> app.copy(process.getInputStream(), appLog), "keyscan-load-app-log");
            copier.setDaemon(true);
            copier.start();
            return app;
        }

        private void copy(InputStream output, Path appLog) {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8));
                    Writer log = Files.newBufferedWriter(appLog, StandardCharsets.UTF_8)) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    log.write(line);
                    log.write('\n');
                    log.flush();
                    Matcher m = PORT.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(new UncheckedIOException(e));
            }
            port.completeExceptionally(new IllegalStateException("the app exited before it listened; see " + appLog));
        }

        long pid() {
            return process.pid();
        }

        int awaitPort(Duration timeout) throws InterruptedException {
            try {
                return port.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("the app did not listen within " + timeout, e);
            }
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The pattern's literal beginning, up to its first glob character: the app's allowed prefix. */
    static String literalPrefix(String pattern) {
        int i = 0;
        while (i < pattern.length() && "*?[\\".indexOf(pattern.charAt(i)) < 0) {
            i++;
        }
        return pattern.substring(0, i);
    }

    private void write(LoadTarget target, String[] args) throws IOException {
        LoadReport.writeCsv(out.resolve("results.csv"), rows);
        List<String> facts = List.of(
                "command: `benchmarks/webflux-load.sh" + (args.length == 0 ? "" : " " + String.join(" ", args)
                        .replaceAll("--app-classpath \\S+ ?", "")) + "`",
                "server: " + target.description,
                String.format(Locale.ROOT, "every client: `GET /keys?pattern=%s` (NDJSON), %,d keys, read as fast as "
                        + "it comes, every line checked off against the KEYS answer; an error line or an incomplete "
                        + "response fails it", arguments.pattern, target.expected.size()),
                "the app: `" + APP_MAIN + "` (examples/webflux) in a JVM of its own per round, -Xmx"
                        + arguments.appHeap + ", default collector, `-XX:NativeMemoryTracking=summary`; peak heap: the "
                        + "largest heap before a GC pause in its GC log; peak RSS: VmHWM of /proc/<pid>/status "
                        + "(the whole process, started fresh for the round)",
                "clients: this JVM, one thread and one HTTP/1.1 connection (java.net.http) each; the probe: a JVM of "
                        + "its own PINGing the same Redis",
                "machine: " + machine.cores() + " cores, " + machine.memory() + ", " + machine.os() + ", "
                        + machine.jdk().replaceAll(", measuring with.*", "")
                        + "; shared with other work: see the load averages",
                "keyscan commit: " + machine.commit());
        LoadReport.writeMarkdown(out.resolve("results.md"), "The WebFlux example's /keys under concurrent clients",
                started, facts, rows, notes);
    }

    private void say(String line) {
        progress.printf(Locale.ROOT, "[%8s] %s%n", Stats.duration(System.nanoTime() - startNanos), line);
        progress.flush();
    }
}
