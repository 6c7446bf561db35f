package io.keyscan.bench;

import static io.keyscan.bench.Arguments.numbers;
import static io.keyscan.bench.Arguments.positive;
import static io.keyscan.bench.Arguments.value;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The command line of the two load tests: {@link ConcurrentListingsLoad} (N listings at once through one
 * connection) and {@link WebFluxLoad} (N HTTP clients streaming the WebFlux example's {@code /keys}).
 */
final class LoadArguments {

    /** Which of the two load tests parses. */
    enum Tool {
        LISTINGS("ConcurrentListingsLoad", List.of(16, 64, 256)),
        WEBFLUX("WebFluxLoad", List.of(16, 64, 128));

        final String name;
        final List<Integer> defaultConcurrency;

        Tool(String name, List<Integer> defaultConcurrency) {
            this.name = name;
            this.defaultConcurrency = defaultConcurrency;
        }
    }

    /** The listings' paths through keyscan. */
    enum ListingKind {
        /** {@code fetchKeys}: the whole sorted, distinct list, compared with the reference. */
        FETCH,
        /** {@code scan}: the stream, consumed with bounded demand, every key checked off as it comes. */
        SCAN;

        String label() {
            return this == FETCH ? "fetchKeys" : "scan";
        }
    }

    /** The WebFlux demo's dataset: 100,000 records, of which 79,888 request records match {@code performance|*}. */
    static final int DEFAULT_KEYS = 100_000;
    static final String DEFAULT_PATTERN = "performance|*";
    static final int DEFAULT_DEMAND = 256;
    static final int MAX_CONCURRENCY = 4096;
    static final int DEFAULT_TIMEOUT_MINUTES = 30;
    static final String DEFAULT_HEAP = "8g";
    static final String DEFAULT_APP_HEAP = "512m";

    final Tool tool;
    List<Integer> concurrency;
    int keys = DEFAULT_KEYS;
    String pattern = DEFAULT_PATTERN;
    List<ListingKind> paths = List.of(ListingKind.FETCH, ListingKind.SCAN);
    int demand = DEFAULT_DEMAND;
    int timeoutMinutes = DEFAULT_TIMEOUT_MINUTES;
    @Nullable String redisUrl;
    boolean load;
    @Nullable String server;
    String heap = DEFAULT_HEAP;
    String appHeap = DEFAULT_APP_HEAP;
    @Nullable String appClasspath;
    @Nullable Path out;
    boolean help;

    private LoadArguments(Tool tool) {
        this.tool = tool;
        this.concurrency = tool.defaultConcurrency;
    }

    static String usage(Tool tool) {
        StringBuilder text = new StringBuilder();
        text.append("usage: ").append(tool.name).append(" [options]\n");
        if (tool == Tool.LISTINGS) {
            text.append("  N listings of the same pattern at once through ONE KeyScanner on one Lettuce connection,\n"
                    + "  each checked against the KEYS answer; aggregate keys/s, a PING probe's p99.9 and max, the\n"
                    + "  measuring JVM's peak heap and peak RSS.\n");
        } else {
            text.append("  Starts the WebFlux example (examples/webflux) as a JVM of its own at --app-heap and lets N\n"
                    + "  HTTP clients stream GET /keys?pattern=P at once, each response checked against the KEYS\n"
                    + "  answer; aggregate keys/s, a PING probe's p99.9 and max, the app's peak heap and peak RSS.\n"
                    + "  Run it with benchmarks/webflux-load.sh, which builds the app and passes --app-classpath.\n");
        }
        text.append("  --concurrency LIST  listings at once, one round each (default ")
                .append(join(tool.defaultConcurrency)).append(")\n");
        text.append("  --keys N            rails_performance-shaped records loaded (default 100000; 79,888 of them\n"
                + "                      match the default pattern)\n");
        text.append("  --pattern P         the pattern every listing lists (default performance|*)\n");
        if (tool == Tool.LISTINGS) {
            text.append("  --paths LIST        fetch,scan (default both): fetchKeys, or scan consumed with bounded\n"
                    + "                      demand (--demand)\n");
            text.append("  --demand N          scan: keys requested at a time by each listing's consumer (default 256)\n");
            text.append("  --heap SIZE         -Xmx of the measuring JVM (default 8g)\n");
        } else {
            text.append("  --app-classpath CP  the WebFlux example's classpath (benchmarks/webflux-load.sh sets it)\n");
            text.append("  --app-heap SIZE     -Xmx of the app's JVM (default 512m)\n");
        }
        text.append("  --redis-url URL     use this server instead of starting one; only read unless --load\n");
        text.append("  --load              with --redis-url: FLUSHDB it and load the dataset\n");
        text.append("  --server NAME|PATH  start this server of the matrix or this executable (as KeysVersusScan-\n"
                + "                      Benchmark's --server)\n");
        text.append("  --timeout MINUTES   a round that takes longer fails (default 30)\n");
        text.append("  --out DIR           results folder (default benchmarks/results/load-<timestamp>/)\n");
        text.append("  --help              this text");
        return text.toString();
    }

    /**
     * The arguments of {@code args} for {@code tool}; {@code null} after printing the usage for {@code --help}. A bad
     * argument is printed with the usage, and the JVM exits with 2.
     */
    static @Nullable LoadArguments parseOrExit(Tool tool, String[] args) {
        LoadArguments arguments;
        try {
            arguments = parse(tool, args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(usage(tool));
            System.exit(2);
            return null;
        }
        if (arguments.help) {
            System.out.println(usage(tool));
            return null;
        }
        return arguments;
    }

    static LoadArguments parse(Tool tool, String[] args) {
        LoadArguments parsed = new LoadArguments(tool);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> parsed.help = true;
                case "--concurrency" -> parsed.concurrency = numbers(value(args, ++i, arg), arg, MAX_CONCURRENCY);
                case "--keys" -> parsed.keys = positive(value(args, ++i, arg), arg, Arguments.MAX_SIZE);
                case "--pattern" -> {
                    parsed.pattern = value(args, ++i, arg);
                    if (parsed.pattern.isEmpty()) {
                        throw new IllegalArgumentException("--pattern must not be empty");
                    }
                }
                case "--paths" -> parsed.paths = paths(value(args, ++i, arg), tool);
                case "--demand" -> parsed.demand = positive(value(args, ++i, arg), arg, 1_000_000);
                case "--timeout" -> parsed.timeoutMinutes = positive(value(args, ++i, arg), arg, 24 * 60);
                case "--redis-url" -> parsed.redisUrl = value(args, ++i, arg);
                case "--load" -> parsed.load = true;
                case "--server" -> parsed.server = Arguments.server(value(args, ++i, arg));
                case "--heap" -> parsed.heap = heap(value(args, ++i, arg), arg, tool, Tool.LISTINGS);
                case "--app-heap" -> parsed.appHeap = heap(value(args, ++i, arg), arg, tool, Tool.WEBFLUX);
                case "--app-classpath" -> {
                    only(tool, Tool.WEBFLUX, arg);
                    parsed.appClasspath = value(args, ++i, arg);
                }
                case "--out" -> parsed.out = Path.of(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
            }
        }
        if (parsed.load && parsed.redisUrl == null) {
            throw new IllegalArgumentException("--load needs --redis-url (without it the test uses its own server)");
        }
        if (parsed.server != null && parsed.redisUrl != null) {
            throw new IllegalArgumentException("--server starts a server of the test's own: it does not work with "
                    + "--redis-url, which uses an existing one");
        }
        if (tool == Tool.WEBFLUX && !parsed.help && (parsed.appClasspath == null || parsed.appClasspath.isBlank())) {
            throw new IllegalArgumentException("--app-classpath is required: run benchmarks/webflux-load.sh, which "
                    + "builds examples/webflux and passes its classpath");
        }
        return parsed;
    }

    /** Whether the test writes the dataset: its own server, or {@code --load}. */
    boolean writes() {
        return redisUrl == null || load;
    }

    /** {@code 512m}, {@code 8g}, {@code 2048M}: what {@code -Xmx} takes, at least 64 MB. */
    static String heap(String text, String name, Tool tool, Tool owner) {
        only(tool, owner, name);
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        if (!trimmed.matches("\\d{1,7}[mg]")) {
            throw new IllegalArgumentException(name + " takes a size such as 512m or 8g, was '" + text + "'");
        }
        long megabytes = Long.parseLong(trimmed.substring(0, trimmed.length() - 1))
                * (trimmed.endsWith("g") ? 1024 : 1);
        if (megabytes < 64) {
            throw new IllegalArgumentException(name + " must be at least 64m, was '" + text + "'");
        }
        return trimmed;
    }

    private static void only(Tool tool, Tool owner, String name) {
        if (tool != owner) {
            throw new IllegalArgumentException(name + " is an option of " + owner.name + ", not of " + tool.name);
        }
    }

    private static List<ListingKind> paths(String text, Tool tool) {
        only(tool, Tool.LISTINGS, "--paths");
        LinkedHashSet<ListingKind> chosen = new LinkedHashSet<>();
        for (String part : text.split("[,\\s]+")) {
            switch (part.trim()) {
                case "" -> { }
                case "fetch", "fetchKeys" -> chosen.add(ListingKind.FETCH);
                case "scan" -> chosen.add(ListingKind.SCAN);
                default -> throw new IllegalArgumentException("unknown path '" + part + "'; known: fetch,scan");
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("--paths needs at least one of fetch,scan");
        }
        return List.copyOf(chosen);
    }

    private static String join(List<Integer> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }
}
