package io.keyscan.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
            "  --redis-url URL     use this server instead of starting one; without --load it is only",
            "                      read: one pass over the keys it holds (--sizes is ignored)",
            "  --load              with --redis-url: FLUSHDB and load each dataset size into it",
            "  --cluster           start a Redis Cluster of its own (3 masters, 1 replica each) and list",
            "                      every master: KEYS fanned out, keyscan's parallel SCAN, Lettuce's cluster",
            "                      ScanStream",
            "  --cluster-url URLS  use this Redis Cluster (one or more nodes, comma-separated) instead;",
            "                      only read: one pass over the keys it holds (--sizes is ignored)",
            "  --out DIR           results folder (default benchmarks/results/<timestamp>/; with --cluster or",
            "                      --cluster-url benchmarks/results/cluster/<timestamp>/)",
            "  --help              this text");

    List<Integer> sizes = DEFAULT_SIZES;
    List<String> classes = QueryClass.NAMES;
    List<Integer> counts = DEFAULT_COUNTS;
    int runs = DEFAULT_RUNS;
    @Nullable Integer largeRuns;
    @Nullable String redisUrl;
    boolean load;
    boolean cluster;
    @Nullable String clusterUrl;
    @Nullable Path out;
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
                case "--runs" -> parsed.runs = positive(value(args, ++i, arg), arg, 1000);
                case "--large-runs" -> parsed.largeRuns = positive(value(args, ++i, arg), arg, 1000);
                case "--sizes" -> {
                    parsed.sizes = numbers(value(args, ++i, arg), arg, MAX_SIZE);
                    sizesGiven = true;
                }
                case "--counts" -> parsed.counts = numbers(value(args, ++i, arg), arg, 1_000_000);
                case "--classes" -> parsed.classes = classes(value(args, ++i, arg));
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
        if (parsed.cluster && !sizesGiven) {
            parsed.sizes = DEFAULT_CLUSTER_SIZES;
        }
        return parsed;
    }

    private static String value(String[] args, int index, String name) {
        if (index >= args.length) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[index];
    }

    private static int positive(String text, String name, int max) {
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
    private static List<Integer> numbers(String text, String name, int max) {
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
        List<String> chosen = new ArrayList<>();
        for (String part : text.split("[,\\s]+")) {
            if (part.isBlank()) {
                continue;
            }
            if (!QueryClass.NAMES.contains(part)) {
                throw new IllegalArgumentException("unknown query class '" + part + "'; known: "
                        + String.join(",", QueryClass.NAMES));
            }
            if (!chosen.contains(part)) {
                chosen.add(part);
            }
        }
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("--classes needs at least one class");
        }
        // report order, whatever order they were given in
        return QueryClass.NAMES.stream().filter(chosen::contains).toList();
    }
}
