package io.keyscan.bench;

import io.keyscan.testkit.RedisBinary;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** The command line of the KEYS-vs-SCAN benchmark. */
final class Arguments {

    static final List<Integer> DEFAULT_SIZES = List.of(100, 1_000, 10_000, 100_000, 1_000_000);
    /** The cluster run's default: one dataset, a million keys over the masters. */
    static final List<Integer> DEFAULT_CLUSTER_SIZES = List.of(1_000_000);
    static final List<Integer> DEFAULT_COUNTS = List.of(10, 100, 1_000, 10_000);
    static final int DEFAULT_RUNS = 5;
    static final int LARGE = 1_000_000;
    static final int MAX_SIZE = 10_000_000;

    static final String USAGE = String.join("\n",
            "usage: KeysVersusScanBenchmark [options]",
            "  --sizes LIST        dataset sizes to load and measure (default 100,1000,10000,100000,1000000;",
            "                      with --cluster 1000000)",
            "  --classes LIST      query classes (default match_all,date_scoped,lookup,broad,literal)",
            "  --runs N            measured runs per path, after one warm-up run (default 5)",
            "  --large-runs N      measured runs for datasets of 1,000,000 keys or more (default: --runs)",
            "  --counts LIST       the fixed COUNTs of the SCAN path (default 10,100,1000,10000)",
            "  --paths LIST        the paths to measure besides KEYS, the reference every answer is checked",
            "                      against (default " + String.join(",", ListingPath.NAMES.subList(1, 4)) + ")",
            "  --redis-url URL     use this server instead of starting one; without --load it is only",
            "                      read: one pass over the keys it holds (--sizes is ignored)",
            "  --load              with --redis-url: FLUSHDB and load each dataset size into it",
            "  --cluster           start a Redis Cluster of its own (3 masters, 1 replica each) and list",
            "                      every master: KEYS fanned out, keyscan's parallel SCAN, Lettuce's cluster",
            "                      ScanStream",
            "  --cluster-url URLS  use this Redis Cluster (one or more nodes, comma-separated) instead;",
            "                      only read: one pass over the keys it holds (--sizes is ignored)",
            "  --server NAME|PATH  start this server of the matrix (" + String.join(", ", RedisBinary.MATRIX) + ";",
            "                      scripts/servers NAME builds it once) or this redis-server/valkey-server",
            "                      executable; also with --cluster. Default: as the tests (docs/testing.md)",
            "  --added-rtt TIME    put a TCP proxy that delays each direction by half of TIME (e.g. 0.5ms,",
            "                      250us) between the benchmark's clients (every path and the probe) and the",
            "                      server: a network round trip; one server only (not with --cluster)",
            "  --out DIR           results folder (default benchmarks/results/<timestamp>/; with --cluster or",
            "                      --cluster-url benchmarks/results/cluster/<timestamp>/)",
            "  --help              this text");

    List<Integer> sizes = DEFAULT_SIZES;
    List<String> classes = QueryClass.NAMES;
    List<Integer> counts = DEFAULT_COUNTS;
    /** The paths measured, in report order; always KEYS first. */
    List<String> paths = ListingPath.NAMES;
    int runs = DEFAULT_RUNS;
    @Nullable Integer largeRuns;
    @Nullable String redisUrl;
    boolean load;
    boolean cluster;
    @Nullable String clusterUrl;
    @Nullable Path out;
    @Nullable String server;
    /** The round trip to add, in nanoseconds; 0: none. */
    long addedRttNanos;
    boolean help;

    /** Measured runs for a dataset of {@code size} keys. */
    int runsFor(long size) {
        return size >= LARGE && largeRuns != null ? largeRuns : runs;
    }

    /** Whether the benchmark writes to the server: its own server or cluster, or {@code --load}. */
    boolean writes() {
        return (redisUrl == null && clusterUrl == null) || load;
    }

    /** Whether the benchmark lists a Redis Cluster: {@code --cluster} or {@code --cluster-url}. */
    boolean isCluster() {
        return cluster || clusterUrl != null;
    }

    static Arguments parse(String[] args) {
        Arguments parsed = new Arguments();
        boolean sizesGiven = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> parsed.help = true;
                case "--load" -> parsed.load = true;
                case "--redis-url" -> parsed.redisUrl = value(args, ++i, arg);
                case "--cluster" -> parsed.cluster = true;
                case "--cluster-url" -> parsed.clusterUrl = value(args, ++i, arg);
                case "--out" -> parsed.out = Path.of(value(args, ++i, arg));
                case "--server" -> parsed.server = server(value(args, ++i, arg));
                case "--added-rtt" -> parsed.addedRttNanos = duration(value(args, ++i, arg), arg);
                case "--runs" -> parsed.runs = positive(value(args, ++i, arg), arg, 1000);
                case "--large-runs" -> parsed.largeRuns = positive(value(args, ++i, arg), arg, 1000);
                case "--sizes" -> {
                    parsed.sizes = numbers(value(args, ++i, arg), arg, MAX_SIZE);
                    sizesGiven = true;
                }
                case "--counts" -> parsed.counts = numbers(value(args, ++i, arg), arg, 1_000_000);
                case "--classes" -> parsed.classes = classes(value(args, ++i, arg));
                case "--paths" -> parsed.paths = paths(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
            }
        }
        int targets = (parsed.redisUrl != null ? 1 : 0) + (parsed.cluster ? 1 : 0) + (parsed.clusterUrl != null ? 1 : 0);
        if (targets > 1) {
            throw new IllegalArgumentException("--redis-url, --cluster and --cluster-url exclude each other");
        }
        if (parsed.load && parsed.clusterUrl != null) {
            throw new IllegalArgumentException("--load does not work with --cluster-url: the benchmark only reads an "
                    + "existing cluster (--cluster starts one of its own and loads it)");
        }
        if (parsed.load && parsed.redisUrl == null) {
            throw new IllegalArgumentException("--load needs --redis-url (without it the benchmark uses its own server)");
        }
        if (parsed.server != null && (parsed.redisUrl != null || parsed.clusterUrl != null)) {
            throw new IllegalArgumentException("--server starts a server of the benchmark's own: it does not work with "
                    + (parsed.redisUrl != null ? "--redis-url" : "--cluster-url") + ", which uses an existing one");
        }
        if (parsed.addedRttNanos > 0 && parsed.isCluster()) {
            throw new IllegalArgumentException("--added-rtt works with one server only: the nodes of a cluster "
                    + "announce their own addresses, which a proxy in front of them cannot change");
        }
        if (parsed.cluster && !sizesGiven) {
            parsed.sizes = DEFAULT_CLUSTER_SIZES;
        }
        return parsed;
    }

    /** A name of the server matrix, or a path to an executable; anything else is refused, naming what is allowed. */
    static String server(String value) {
        String trimmed = value.trim();
        if (RedisBinary.MATRIX.contains(trimmed)) {
            return trimmed;
        }
        Path path;
        try {
            path = Path.of(trimmed);
        } catch (InvalidPathException e) {
            path = null;
        }
        if (!trimmed.isEmpty() && path != null && Files.isRegularFile(path) && Files.isExecutable(path)) {
            return trimmed;
        }
        throw new IllegalArgumentException("--server '" + value + "' is neither a server of the matrix ("
                + String.join(", ", RedisBinary.MATRIX) + ") nor an executable file");
    }

    /**
     * A time such as {@code 0.5ms}, {@code 250us} (or {@code µs}), {@code 1ms}, {@code 0.001s}, in nanoseconds: more
     * than 0, at most 1 s.
     */
    static long duration(String text, String name) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(name + " takes a time such as 0.5ms or 250us, was '" + text + "'");
        }
        double value = Double.parseDouble(m.group(1));
        double nanos = switch (m.group(2)) {
            case "s" -> value * 1e9;
            case "ms" -> value * 1e6;
            default -> value * 1e3; // us, µs
        };
        if (!(nanos >= 1_000) || nanos > 1e9) {
            throw new IllegalArgumentException(name + " must be between 1us and 1s, was '" + text + "'");
        }
        return Math.round(nanos);
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*(s|ms|us|µs)");

    static String value(String[] args, int index, String name) {
        if (index >= args.length) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[index];
    }

    static int positive(String text, String name, int max) {
        int value;
        try {
            value = Integer.parseInt(text.replace(",", "").replace("_", "").trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " takes whole numbers, was '" + text + "'");
        }
        if (value < 1 || value > max) {
            throw new IllegalArgumentException(name + " must be between 1 and " + max + ", was " + value);
        }
        return value;
    }

    /** {@code 100,1000} or {@code 100 1000}; {@code _} may group digits; ascending, without duplicates. */
    static List<Integer> numbers(String text, String name, int max) {
        LinkedHashSet<Integer> values = new LinkedHashSet<>();
        for (String part : text.split("[,\\s]+")) {
            if (!part.isBlank()) {
                values.add(positive(part.replace("_", ""), name, max));
            }
        }
        if (values.isEmpty()) {
            throw new IllegalArgumentException(name + " needs at least one value");
        }
        return values.stream().sorted().toList();
    }

    private static List<String> classes(String text) {
        return chosen(text, "--classes", "query class", QueryClass.NAMES, List.of());
    }

    private static List<String> paths(String text) {
        List<String> paths = chosen(text, "--paths", "path", ListingPath.NAMES, List.of("KEYS"));
        if (paths.size() == 1) {
            throw new IllegalArgumentException("--paths needs at least one path besides KEYS, which always runs");
        }
        return paths;
    }

    /**
     * The names of {@code text} (comma or space separated), each one of {@code known}, with {@code always}: in
     * {@code known}'s order, the report's, whatever order they were given in.
     */
    private static List<String> chosen(String text, String option, String what, List<String> known,
            List<String> always) {
        List<String> chosen = new ArrayList<>(always);
        for (String part : text.split("[,\\s]+")) {
            if (part.isBlank()) {
                continue;
            }
            if (!known.contains(part)) {
                throw new IllegalArgumentException("unknown " + what + " '" + part + "'; known: "
                        + String.join(",", known));
            }
            chosen.add(part);
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException(option + " needs at least one " + what);
        }
        return known.stream().filter(chosen::contains).toList();
    }
}
