package io.keyscan.examples.export;

import io.keyscan.KeyType;
import io.keyscan.Patterns;
import io.lettuce.core.RedisURI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** The command line of {@link KeyExportTool}; every mistake is an {@link IllegalArgumentException} naming it. */
final class Arguments {

    static final String USAGE = String.join("\n",
            "usage: keyscan-export export (--redis-url URL | --cluster-url URL[,URL...]) --output FILE|-",
            "                             [--pattern GLOB] [--type TYPE] [--values | --dump] [--force]",
            "                             [--distinct D] [--batch N] [--concurrency N] [--progress P]",
            "                             [--timeout T]",
            "       keyscan-export import (--redis-url URL | --cluster-url URL[,URL...]) --input FILE|-",
            "                             [--replace] [--concurrency N] [--progress P] [--timeout T]",
            "",
            "export  writes one NDJSON line per key matching GLOB: key, type, TTL (ms, -1 for none) and, with",
            "        --values, the value in a form that round-trips, or with --dump the DUMP payload (base64).",
            "  --redis-url URL      one server, e.g. redis://localhost:6379/0 or rediss://user:secret@host:6380",
            "  --cluster-url URLS   a Redis Cluster: one or more nodes, comma-separated",
            "  --output FILE        where to write; - for standard output. An existing FILE needs --force",
            "  --pattern GLOB       Redis glob pattern of the keys (default *)",
            "  --type TYPE          only keys of this type: string, hash, list, set, zset or stream",
            "  --values             write each key's value; --dump: its DUMP payload instead",
            "  --distinct D         write each key once: on (16+ bytes of heap per key), off (constant memory;",
            "                       a key may be written twice if the server resizes its table meanwhile), or",
            "                       auto (default): on if 44 bytes per DBSIZE key fit in half the heap",
            "  --batch N            keys read per call (1-1000, default 100)",
            "  --concurrency N      calls in flight (1-256; default 8 for export, 32 for import)",
            "  --progress P         auto (a bar on a terminal, else a line every 10 s), bar, plain or none",
            "  --timeout T          per Redis command, e.g. 30s (default), 2m",
            "import  loads such a file (exported with --values or --dump) into a server or cluster.",
            "  --input FILE         the file; - for standard input",
            "  --replace            replace existing keys (default: an existing key stops the import)",
            "",
            "Docs: docs/export.md");

    static final int DEFAULT_BATCH = 100;
    static final int MAX_BATCH = 1000;
    static final int DEFAULT_EXPORT_CONCURRENCY = 8;
    static final int DEFAULT_IMPORT_CONCURRENCY = 32;
    static final int MAX_CONCURRENCY = 256;
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

    enum Command {
        EXPORT, IMPORT, HELP
    }

    /** Whether an export writes each key once (keyscan's {@code distinctScan}), at a cost in heap per key. */
    enum Distinct {
        ON, OFF, AUTO;

        static Distinct of(String name) {
            for (Distinct value : values()) {
                if (value.name().equalsIgnoreCase(name)) {
                    return value;
                }
            }
            throw new IllegalArgumentException("--distinct must be on, off or auto; was '" + name + "'");
        }
    }

    Command command = Command.HELP;
    @Nullable String redisUrl;
    @Nullable String clusterUrls;
    String pattern = "*";
    @Nullable KeyType type;
    KeyReader.Mode mode = KeyReader.Mode.META;
    @Nullable String output;
    @Nullable String input;
    boolean force;
    boolean replace;
    Distinct distinct = Distinct.AUTO;
    int batch = DEFAULT_BATCH;
    int concurrency = -1;
    Progress.Style progress = Progress.Style.AUTO;
    Duration timeout = DEFAULT_TIMEOUT;

    static Arguments parse(String... args) {
        Arguments parsed = new Arguments();
        if (args.length == 0) {
            return parsed;
        }
        switch (args[0]) {
            case "export":
                parsed.command = Command.EXPORT;
                break;
            case "import":
                parsed.command = Command.IMPORT;
                break;
            case "--help":
            case "-h":
            case "help":
                return parsed;
            default:
                throw new IllegalArgumentException("the first argument must be export or import, was '" + args[0] + "'");
        }
        boolean export = parsed.command == Command.EXPORT;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> parsed.command = Command.HELP;
                case "--redis-url" -> parsed.redisUrl = value(args, ++i, arg);
                case "--cluster-url" -> parsed.clusterUrls = value(args, ++i, arg);
                case "--concurrency" -> parsed.concurrency = number(args, ++i, arg, 1, MAX_CONCURRENCY);
                case "--progress" -> parsed.progress = Progress.Style.of(value(args, ++i, arg));
                case "--timeout" -> parsed.timeout = duration(value(args, ++i, arg));
                default -> {
                    if (export) {
                        i = exportOption(parsed, args, i);
                    } else {
                        i = importOption(parsed, args, i);
                    }
                }
            }
        }
        if (parsed.command == Command.HELP) {
            return parsed;
        }
        if ((parsed.redisUrl == null) == (parsed.clusterUrls == null)) {
            throw new IllegalArgumentException("give either --redis-url (one server) or --cluster-url (a cluster)");
        }
        if (export && parsed.output == null) {
            throw new IllegalArgumentException("export needs --output FILE (or - for standard output)");
        }
        if (!export && parsed.input == null) {
            throw new IllegalArgumentException("import needs --input FILE (or - for standard input)");
        }
        if (parsed.concurrency < 0) {
            parsed.concurrency = export ? DEFAULT_EXPORT_CONCURRENCY : DEFAULT_IMPORT_CONCURRENCY;
        }
        parsed.uris(); // a malformed URI fails here, before anything is opened
        return parsed;
    }

    private static int exportOption(Arguments parsed, String[] args, int i) {
        String arg = args[i];
        switch (arg) {
            case "--pattern" -> parsed.pattern = Patterns.validate(value(args, ++i, arg));
            case "--type" -> parsed.type = KeyType.of(value(args, ++i, arg));
            case "--values", "--dump" -> {
                KeyReader.Mode mode = arg.equals("--values") ? KeyReader.Mode.VALUES : KeyReader.Mode.DUMP;
                if (parsed.mode != KeyReader.Mode.META && parsed.mode != mode) {
                    throw new IllegalArgumentException("--values and --dump exclude each other: a line carries "
                            + "one form of the value");
                }
                parsed.mode = mode;
            }
            case "--output" -> parsed.output = value(args, ++i, arg);
            case "--force" -> parsed.force = true;
            case "--distinct" -> parsed.distinct = Distinct.of(value(args, ++i, arg));
            case "--batch" -> parsed.batch = number(args, ++i, arg, 1, MAX_BATCH);
            default -> throw new IllegalArgumentException("unknown export argument '" + arg + "'");
        }
        return i;
    }

    private static int importOption(Arguments parsed, String[] args, int i) {
        String arg = args[i];
        switch (arg) {
            case "--input" -> parsed.input = value(args, ++i, arg);
            case "--replace" -> parsed.replace = true;
            default -> throw new IllegalArgumentException("unknown import argument '" + arg + "'");
        }
        return i;
    }

    /** The server's URI, or the cluster's seeds. */
    List<RedisURI> uris() {
        List<RedisURI> uris = new ArrayList<>();
        String given = redisUrl != null ? redisUrl : clusterUrls;
        for (String part : given.split(",")) {
            String trimmed = part.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                uris.add(RedisURI.create(trimmed));
            } catch (IllegalArgumentException e) {
                // the message would repeat the URI, which may hold a password
                throw new IllegalArgumentException((redisUrl != null ? "--redis-url" : "--cluster-url")
                        + " is not a Redis URI (expected redis://host:port or rediss://...)", e);
            }
        }
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("--cluster-url names no node");
        }
        if (redisUrl != null && uris.size() > 1) {
            throw new IllegalArgumentException("--redis-url takes one server; for a cluster use --cluster-url");
        }
        return uris;
    }

    @Nullable Path outputPath() {
        return output == null || output.equals("-") ? null : Paths.get(output);
    }

    @Nullable Path inputPath() {
        return input == null || input.equals("-") ? null : Paths.get(input);
    }

    private static String value(String[] args, int index, String name) {
        if (index >= args.length) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[index];
    }

    private static int number(String[] args, int index, String name, int min, int max) {
        String text = value(args, index, name);
        int number;
        try {
            number = Integer.parseInt(text.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was '" + text + "'");
        }
        if (number < min || number > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + number);
        }
        return number;
    }

    private static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("--timeout must be a duration such as 500ms, 30s or 2m, was '" + text
                    + "'");
        }
        long amount = Long.parseLong(m.group(1));
        Duration duration = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            default -> Duration.ofMinutes(amount);
        };
        if (duration.isZero() || duration.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("--timeout must be positive and at most 10m, was '" + text + "'");
        }
        return duration;
    }
}
