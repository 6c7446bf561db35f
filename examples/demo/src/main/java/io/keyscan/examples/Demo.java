package io.keyscan.examples;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.lettuce.LettuceKeyScanner;
import io.keyscan.testkit.LatencyProbe;
import io.keyscan.testkit.RailsPerformanceDataset;
import io.keyscan.testkit.RedisServer;
import io.keyscan.testkit.RedisServers;
import io.lettuce.core.RedisURI;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Lists the same keys with KEYS and with SCAN and shows what each costs the server.
 *
 * <p>By default it starts its own Redis (the test harness' fallbacks: Docker, a {@code redis-server} on the
 * PATH, or the one shipped in a Maven artifact), loads 100,000 rails_performance-shaped keys, lists them both
 * ways, checks the two answers are identical, and prints keys found, wall time, SCAN calls and the longest
 * delay a second client's PING saw during each listing. {@code --redis-url} points it at your server instead,
 * where it only reads unless {@code --load} is given.
 */
public final class Demo {

    static final int DEFAULT_KEYS = 100_000;
    static final int MAX_KEYS = 10_000_000;

    private Demo() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** Runs the demo; the exit code is 0 when both paths agree, 1 when they differ, 2 on bad arguments. */
    static int run(String[] args, PrintStream out) {
        Arguments arguments;
        try {
            arguments = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            out.println("error: " + e.getMessage());
            out.println(Arguments.USAGE);
            return 2;
        }
        if (arguments.help) {
            out.println(Arguments.USAGE);
            return 0;
        }
        boolean ownServer = arguments.redisUrl == null;
        try (RedisServer server = ownServer ? RedisServers.start()
                : RedisServers.external(RedisURI.create(arguments.redisUrl))) {
            if (ownServer || arguments.load) {
                out.printf(Locale.ROOT, "Loading %,d rails_performance-shaped keys into %s ...%n", arguments.keys,
                        server.source());
                RailsPerformanceDataset.generate(arguments.keys, 20260204L).load(server);
            } else {
                out.printf("Reading %s (nothing is written; --load adds demo data).%n", server.source());
                out.println("Note: the KEYS row runs KEYS on this server, which blocks it for the whole call.");
            }
            return compare(server, arguments.pattern, ownServer, out);
        }
    }

    private static int compare(RedisServer server, String pattern, boolean warmUp, PrintStream out) {
        RedisURI uri = server.redisUri();
        KeyScanOptions keysOptions = KeyScanOptions.defaults();
        KeyScanOptions scanOptions = KeyScanOptions.builder().useScan(true).build();
        try (KeyScanner keys = LettuceKeyScanner.create(uri, keysOptions);
                KeyScanner scan = LettuceKeyScanner.create(uri, scanOptions);
                LatencyProbe probe = LatencyProbe.start(uri)) {
            if (warmUp) {
                keys.fetchKeys(pattern).block();
                scan.fetchKeys(pattern).block();
            }
            Row keysRow = measure("KEYS", "KEYS " + pattern, keys, pattern, server, probe);
            Row scanRow = measure("SCAN", "SCAN, COUNT auto-tuned", scan, pattern, server, probe);

            out.println();
            out.printf(Locale.ROOT, "%-5s %-26s %12s %11s %11s %16s%n", "path", "command", "keys found", "wall time",
                    "SCAN calls", "max PING delay");
            for (Row row : List.of(keysRow, scanRow)) {
                out.printf(Locale.ROOT, "%-5s %-26s %,12d %8d ms %11s %13.1f ms%n", row.path, abbreviate(row.command),
                        row.keys.size(), row.wall.toMillis(), row.path.equals("KEYS") ? "-" : row.scanCalls,
                        row.maxPingMillis);
            }
            out.println();
            if (keysRow.keys.equals(scanRow.keys)) {
                out.printf(Locale.ROOT, "Both paths returned the same %,d keys (sorted, distinct).%n", keysRow.keys.size());
                return 0;
            }
            out.printf(Locale.ROOT, "The paths differ: KEYS found %,d keys, SCAN %,d.%n", keysRow.keys.size(),
                    scanRow.keys.size());
            return 1;
        }
    }

    private static Row measure(String path, String command, KeyScanner scanner, String pattern, RedisServer server,
            LatencyProbe probe) {
        long scansBefore = server.commandStats("scan").calls();
        probe.reset();
        long start = System.nanoTime();
        List<String> keys = scanner.fetchKeys(pattern).block();
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        double maxPing = probe.maxMillis();
        return new Row(path, command, keys, wall, server.commandStats("scan").calls() - scansBefore, maxPing);
    }

    private static String abbreviate(String text) {
        return text.length() <= 26 ? text : text.substring(0, 23) + "...";
    }

    private record Row(String path, String command, List<String> keys, Duration wall, long scanCalls,
            double maxPingMillis) {
    }

    /** The demo's command line. */
    static final class Arguments {

        static final String USAGE = String.join("\n",
                "usage: Demo [--redis-url URL [--load]] [--keys N] [--pattern GLOB]",
                "  (no --redis-url)  start a Redis of our own and load the demo keys into it",
                "  --redis-url URL   use your server, e.g. redis://localhost:6379; read-only unless --load",
                "  --load            write the demo keys to the --redis-url server first",
                "  --keys N          how many keys to load (default 100,000; 1 to 10,000,000)",
                "  --pattern GLOB    what to list (default *; with --redis-url and no --load: performance|*)");

        String redisUrl;
        boolean load;
        boolean help;
        int keys = DEFAULT_KEYS;
        String pattern;

        static Arguments parse(String[] args) {
            Arguments parsed = new Arguments();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--help":
                    case "-h":
                        parsed.help = true;
                        break;
                    case "--load":
                        parsed.load = true;
                        break;
                    case "--redis-url":
                        parsed.redisUrl = value(args, ++i, arg);
                        break;
                    case "--pattern":
                        parsed.pattern = value(args, ++i, arg);
                        break;
                    case "--keys":
                        String keys = value(args, ++i, arg).replace(",", "").replace("_", "");
                        try {
                            parsed.keys = Integer.parseInt(keys);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--keys must be a whole number, was '" + args[i] + "'");
                        }
                        if (parsed.keys < 1 || parsed.keys > MAX_KEYS) {
                            throw new IllegalArgumentException("--keys must be between 1 and " + MAX_KEYS + ", was "
                                    + parsed.keys);
                        }
                        break;
                    default:
                        throw new IllegalArgumentException("unknown argument '" + arg + "'");
                }
            }
            if (parsed.load && parsed.redisUrl == null) {
                throw new IllegalArgumentException("--load needs --redis-url (without it the demo uses its own server)");
            }
            if (parsed.pattern == null) {
                parsed.pattern = parsed.redisUrl != null && !parsed.load ? "performance|*" : "*";
            }
            return parsed;
        }

        private static String value(String[] args, int index, String name) {
            if (index >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            return args[index];
        }
    }
}
