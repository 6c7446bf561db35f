package io.keyscan.examples.export;

import io.keyscan.KeyType;
import io.keyscan.Patterns;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;

/**
 * The command line of {@link KeyExportTool}, read by picocli: the commands {@code export} and {@code import}, their
 * options ({@code --name value} or {@code --name=value}), the conversion of every value (a bad one is a usage error
 * naming the value and what is allowed) and the checks between options. A parsed command line is an instance of
 * this class; every mistake is a {@link ParameterException}, which the tool reports with exit code 2.
 */
final class Arguments {

    static final String NAME = "keyscan-export";
    static final int DEFAULT_BATCH = 100;
    static final int MAX_BATCH = 1000;
    static final int DEFAULT_EXPORT_CONCURRENCY = 8;
    static final int DEFAULT_IMPORT_CONCURRENCY = 32;
    static final int MAX_CONCURRENCY = 256;
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** The largest line an import reads by default, unless a sixteenth of the heap is less. */
    static final int DEFAULT_MAX_LINE_BYTES = 64 << 20;
    static final int MIN_LINE_BYTES = 1 << 10;
    /** A line is read into one array: at most 1 GB. */
    static final int MAX_LINE_BYTES = 1 << 30;

    private static final String EXIT_CODES_HEADING = "%nExit codes:%n";
    // exit codes in --help: picocli's annotations take constants, so the lines every command shares are constants
    private static final String EXIT_OK = "0:done";
    private static final String EXIT_USAGE = "2:usage error: a bad option or value, named on standard error";
    private static final String EXIT_INTERRUPTED = "130:interrupted (Ctrl-C, SIGINT); 143 after SIGTERM";
    private static final String ENVIRONMENT = "%nEnvironment:%n"
            + "  KEYSCAN_PASSWORD  the Redis password (never on the command line: ps shows it)%n"
            + "  REDISCLI_AUTH     the password when KEYSCAN_PASSWORD is not set, as redis-cli%n"
            + "  KEYSCAN_*         keyscan's options, e.g. KEYSCAN_DISTINCT_MEMORY_LIMIT=48MB%n"
            + "  JAVA_OPTS         JVM options for bin/keyscan-export, e.g. -Xmx256m%n"
            + "%nDocs: docs/export.md (README.md in the distribution)";

    enum Command {
        EXPORT, IMPORT
    }

    /** Whether an export writes each key once (keyscan's {@code distinctScan}), at a cost in heap per key. */
    enum Distinct {
        ON, OFF, AUTO;

        static Distinct of(String name) {
            for (Distinct value : values()) {
                if (value.name().equalsIgnoreCase(name.trim())) {
                    return value;
                }
            }
            throw new IllegalArgumentException("expected on, off or auto, was '" + name + "'");
        }
    }

    final Command command;
    final Connection connection;
    final boolean askpass;
    final Progress.Style progress;
    final int concurrency;
    final Duration timeout;
    // export
    final String pattern;
    final @Nullable KeyType type;
    final KeyReader.Mode mode;
    final @Nullable String output;
    final boolean force;
    final Distinct distinct;
    final int batch;
    // import
    final @Nullable String input;
    final boolean replace;
    /** 0: the default ({@link #maxLineBytes()}). */
    private final int maxLineBytes;

    private Arguments(ExportCommand export) {
        this(Command.EXPORT, export.common, export.concurrency, export.pattern, export.type,
                mode(export), export.output, export.force, export.distinct, export.batch, null, false, 0);
    }

    private Arguments(ImportCommand imported) {
        this(Command.IMPORT, imported.common, imported.concurrency, "*", null, KeyReader.Mode.META, null, false,
                Distinct.AUTO, DEFAULT_BATCH, imported.input, imported.replace, imported.maxLineBytes);
    }

    private Arguments(Command command, CommonOptions common, int concurrency, String pattern, @Nullable KeyType type,
            KeyReader.Mode mode, @Nullable String output, boolean force, Distinct distinct, int batch,
            @Nullable String input, boolean replace, int maxLineBytes) {
        this.command = command;
        this.connection = common.connection();
        this.askpass = common.askpass;
        this.progress = common.progress;
        this.timeout = common.timeout;
        this.concurrency = concurrency;
        this.pattern = pattern;
        this.type = type;
        this.mode = mode;
        this.output = output;
        this.force = force;
        this.distinct = distinct;
        this.batch = batch;
        this.input = input;
        this.replace = replace;
        this.maxLineBytes = maxLineBytes;
    }

    /** A new command line, with this tool's parsing rules; help and version go to its {@code out}. */
    static CommandLine commandLine() {
        return new CommandLine(new Root())
                // "@file" arguments are taken literally: a pattern may start with "@"
                .setExpandAtFiles(false)
                // a repeated option takes its last value, as before picocli
                .setOverwrittenOptionsAllowed(true);
    }

    /**
     * Parses a command line that names a command ({@code export} or {@code import}).
     *
     * @throws ParameterException for any mistake, or when the command line asks for help or the version or names no
     *         command ({@link KeyExportTool#run} handles those before calling this)
     */
    static Arguments parse(String... args) {
        CommandLine commandLine = commandLine();
        return of(commandLine, commandLine.parseArgs(args));
    }

    /** The command line {@code parsed} names, checked as a whole. */
    static Arguments of(CommandLine root, ParseResult parsed) {
        if (!parsed.hasSubcommand()) {
            throw new ParameterException(root, "give a command: export or import");
        }
        ParseResult sub = parsed.subcommand();
        Object command = sub.commandSpec().userObject();
        CommandLine commandLine = sub.commandSpec().commandLine();
        try {
            if (command instanceof ExportCommand export) {
                if (export.values && export.dump) {
                    throw new IllegalArgumentException("--values and --dump exclude each other: a line carries one "
                            + "form of the value");
                }
                return new Arguments(export);
            }
            if (command instanceof ImportCommand imported) {
                return new Arguments(imported);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(commandLine, e.getMessage(), e);
        }
        throw new ParameterException(commandLine, "give a command: export or import");
    }

    private static KeyReader.Mode mode(ExportCommand export) {
        return export.values ? KeyReader.Mode.VALUES : export.dump ? KeyReader.Mode.DUMP : KeyReader.Mode.META;
    }

    /** The server's URIs, or the cluster's seeds, as given (no password added). */
    List<io.lettuce.core.RedisURI> uris() {
        return connection.uris();
    }

    @Nullable Path outputPath() {
        return output == null || output.equals("-") ? null : Paths.get(output);
    }

    @Nullable Path inputPath() {
        return input == null || input.equals("-") ? null : Paths.get(input);
    }

    /** The longest line {@code import} reads: as asked, else 64 MB or a sixteenth of the heap, whichever is less. */
    int maxLineBytes() {
        if (maxLineBytes > 0) {
            return maxLineBytes;
        }
        return (int) Math.max(MIN_LINE_BYTES, Math.min(DEFAULT_MAX_LINE_BYTES, Runtime.getRuntime().maxMemory() / 16));
    }

    /** The tool; {@code scope = INHERIT}: its commands share its help and version options, headings and footer. */
    @CommandLine.Command(name = NAME, scope = CommandLine.ScopeType.INHERIT, mixinStandardHelpOptions = true,
            versionProvider = Version.class, sortOptions = false, exitCodeListHeading = EXIT_CODES_HEADING,
            footer = ENVIRONMENT,
            subcommands = {ExportCommand.class, ImportCommand.class, CommandLine.HelpCommand.class},
            description = {"Exports the Redis keys matching a pattern to NDJSON (one line per key: type, TTL and, if "
                    + "asked, the value or DUMP payload, byte-exact), with keyscan's SCAN path; imports such files "
                    + "into a server or cluster.",
                "%n'keyscan-export COMMAND --help' lists a command's options."},
            exitCodeList = {EXIT_OK,
                "1:the export or import failed (a Redis error, a bad line in the input, a memory limit, ...): "
                        + "standard error says why, and how many keys were written before",
                EXIT_USAGE, EXIT_INTERRUPTED})
    static final class Root {
    }

    /** What both commands take: where to connect, how to authenticate, TLS, the timeout and the progress display. */
    static final class CommonOptions {

        @Option(names = "--redis-url", paramLabel = "URL", order = 1,
                description = "One server, e.g. redis://localhost:6379/0, rediss://host:6380 (TLS) or "
                        + "redis-sentinel://host:26379#mymaster. No password in it: see KEYSCAN_PASSWORD.")
        @Nullable String redisUrl;

        @Option(names = "--cluster-url", paramLabel = "URL[,URL...]", order = 2,
                description = "A Redis Cluster: one or more of its nodes, comma-separated.")
        @Nullable String clusterUrls;

        @Option(names = "--user", paramLabel = "NAME", order = 3,
                description = "The ACL user to authenticate as (with the password from KEYSCAN_PASSWORD, "
                        + "REDISCLI_AUTH or --askpass); default: the user in the URL, else 'default'.")
        @Nullable String user;

        @Option(names = "--askpass", order = 4,
                description = "Read the password from the terminal without echo (one line of standard input "
                        + "when that is not a terminal), unless KEYSCAN_PASSWORD or REDISCLI_AUTH gives it.")
        boolean askpass;

        @Option(names = "--tls", order = 5,
                description = "Connect with TLS (as a rediss:// URL does).")
        boolean tls;

        @Option(names = "--cacert", paramLabel = "FILE", order = 6,
                description = "PEM file of the CA certificate(s) to trust for the server's certificate, instead of "
                        + "the JVM's default trust store.")
        @Nullable Path caCertificate;

        @Option(names = "--cert", paramLabel = "FILE", order = 7,
                description = "PEM file of a client certificate (chain) to present, for a server that asks for one "
                        + "(tls-auth-clients); with --key.")
        @Nullable Path certificate;

        @Option(names = "--key", paramLabel = "FILE", order = 8,
                description = "PEM file of the client certificate's private key (unencrypted PKCS#8, "
                        + "'BEGIN PRIVATE KEY'); with --cert.")
        @Nullable Path key;

        @Option(names = "--insecure", order = 9,
                description = "Skip the verification of the server's certificate (TLS still encrypts). For tests only.")
        boolean insecure;

        @Option(names = "--timeout", paramLabel = "T", order = 30, converter = TimeoutConverter.class,
                defaultValue = "30s", description = "Per Redis command, e.g. 500ms, 30s (default), 2m; at most 10m.")
        Duration timeout = DEFAULT_TIMEOUT;

        @Option(names = "--progress", paramLabel = "P", order = 31, converter = ProgressConverter.class,
                defaultValue = "auto", description = "auto (default: a bar on a terminal, else a line every 10 s), "
                        + "bar, plain or none; on standard error.")
        Progress.Style progress = Progress.Style.AUTO;

        /** Where to connect, checked: one server or a cluster, URIs that parse, TLS files that exist. */
        Connection connection() {
            if ((redisUrl == null) == (clusterUrls == null)) {
                throw new IllegalArgumentException("give either --redis-url (one server) or --cluster-url (a cluster)");
            }
            return Connection.of(redisUrl != null ? redisUrl : clusterUrls, clusterUrls != null, timeout, user,
                    new Connection.Tls(tls, caCertificate, certificate, key, insecure));
        }
    }

    @CommandLine.Command(name = "export",
            description = {"Writes one NDJSON line per key matching the pattern: the key, its type and TTL "
                    + "(milliseconds, -1 for none) and, with --values, its value in a form that round-trips, or with "
                    + "--dump its DUMP payload (base64). Keys are listed with SCAN, never KEYS.",
                "%nExample: keyscan-export export --redis-url rediss://redis:6380 --cacert ca.pem --askpass "
                    + "--pattern 'app:*' --values --output app.ndjson"},
            exitCodeList = {EXIT_OK,
                "1:the export failed (a Redis error, a memory limit, ...): standard error says why, and how many "
                        + "keys the file holds, every line complete",
                EXIT_USAGE, EXIT_INTERRUPTED})
    static final class ExportCommand {

        @Mixin
        CommonOptions common;

        @Option(names = "--output", paramLabel = "FILE", required = true, order = 10,
                description = "Where to write; - for standard output. An existing FILE needs --force.")
        String output;

        @Option(names = "--pattern", paramLabel = "GLOB", order = 11, converter = PatternConverter.class,
                defaultValue = "*", description = "Redis glob pattern of the keys (default *).")
        String pattern = "*";

        @Option(names = "--type", paramLabel = "TYPE", order = 12, converter = TypeConverter.class,
                description = "Only keys of this type: string, hash, list, set, zset or stream.")
        @Nullable KeyType type;

        @Option(names = "--values", order = 13, description = "Write each key's value.")
        boolean values;

        @Option(names = "--dump", order = 14, description = "Write each key's DUMP payload instead (RESTORE reads it).")
        boolean dump;

        @Option(names = "--force", order = 15, description = "Overwrite an existing output file.")
        boolean force;

        @Option(names = "--distinct", paramLabel = "D", order = 16, converter = DistinctConverter.class,
                defaultValue = "auto", description = "Write each key once: on (up to 44 bytes of heap per key), off "
                        + "(constant memory; a key may be written twice if the server resizes its table meanwhile), "
                        + "or auto (default): on if the keyspace fits in keyscan's distinctMemoryLimit.")
        Distinct distinct = Distinct.AUTO;

        @Option(names = "--batch", paramLabel = "N", order = 17, converter = BatchConverter.class,
                defaultValue = "100", description = "Keys read per call: 1-1000 (default 100).")
        int batch = DEFAULT_BATCH;

        @Option(names = "--concurrency", paramLabel = "N", order = 18, converter = ConcurrencyConverter.class,
                defaultValue = "8", description = "Read calls in flight: 1-256 (default 8).")
        int concurrency = DEFAULT_EXPORT_CONCURRENCY;
    }

    @CommandLine.Command(name = "import",
            description = {"Loads a file written by export --values or --dump into a server or cluster, line by "
                    + "line. A line that is not JSON, is cut short, holds binary data or is longer than "
                    + "--max-line-size stops the import, naming the line; the lines before it are all written.",
                "%nExample: keyscan-export import --redis-url redis://other:6379 --askpass --input app.ndjson"},
            exitCodeList = {EXIT_OK,
                "1:the import failed (a Redis error, an existing key, a bad line in the input, ...): standard error "
                        + "names the line and says how many lines and keys were written before it stopped",
                EXIT_USAGE, EXIT_INTERRUPTED})
    static final class ImportCommand {

        @Mixin
        CommonOptions common;

        @Option(names = "--input", paramLabel = "FILE", required = true, order = 10,
                description = "The file to load; - for standard input.")
        String input;

        @Option(names = "--replace", order = 11,
                description = "Replace existing keys (default: an existing key stops the import).")
        boolean replace;

        @Option(names = "--max-line-size", paramLabel = "SIZE", order = 12, converter = SizeConverter.class,
                description = "The longest line read, e.g. 256MB: 1KB-1GB (default 64MB, or a sixteenth of the "
                        + "heap if less; a line takes about four times its size in heap).")
        int maxLineBytes;

        @Option(names = "--concurrency", paramLabel = "N", order = 18, converter = ConcurrencyConverter.class,
                defaultValue = "32", description = "Keys written at once: 1-256 (default 32).")
        int concurrency = DEFAULT_IMPORT_CONCURRENCY;
    }

    /** {@code --version}: this tool's version, which Maven writes into {@code version.properties}. */
    static final class Version implements IVersionProvider {

        static String version() {
            Properties properties = new Properties();
            try (InputStream in = Arguments.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read version.properties", e);
            }
            return properties.getProperty("version", "unknown");
        }

        @Override
        public String[] getVersion() {
            return new String[] {NAME + " " + version(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }

    /** A converter whose {@link IllegalArgumentException} is picocli's "Invalid value for option '--x': ...". */
    private abstract static class Checked<T> implements ITypeConverter<T> {
        @Override
        public final T convert(String value) {
            try {
                return check(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }

        abstract T check(String value);
    }

    static final class PatternConverter extends Checked<String> {
        @Override
        String check(String value) {
            return Patterns.validate(value);
        }
    }

    static final class TypeConverter extends Checked<KeyType> {
        @Override
        KeyType check(String value) {
            return KeyType.of(value);
        }
    }

    static final class DistinctConverter extends Checked<Distinct> {
        @Override
        Distinct check(String value) {
            return Distinct.of(value);
        }
    }

    static final class ProgressConverter extends Checked<Progress.Style> {
        @Override
        Progress.Style check(String value) {
            return Progress.Style.of(value);
        }
    }

    static final class BatchConverter extends Checked<Integer> {
        @Override
        Integer check(String value) {
            return number(value, 1, MAX_BATCH);
        }
    }

    static final class ConcurrencyConverter extends Checked<Integer> {
        @Override
        Integer check(String value) {
            return number(value, 1, MAX_CONCURRENCY);
        }
    }

    static final class TimeoutConverter extends Checked<Duration> {
        @Override
        Duration check(String value) {
            return duration(value);
        }
    }

    static final class SizeConverter extends Checked<Integer> {
        @Override
        Integer check(String value) {
            return size(value, MIN_LINE_BYTES, MAX_LINE_BYTES);
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,10})\\s*(b|kb|mb|gb)?");

    /** A whole number in {@code min..max}; {@code _} and {@code ,} may group digits. */
    static int number(String text, int min, int max) {
        long number;
        try {
            number = Long.parseLong(text.trim().replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number from " + min + " to " + max + ", was '" + text
                    + "'");
        }
        if (number < min || number > max) {
            throw new IllegalArgumentException("expected a whole number from " + min + " to " + max + ", was "
                    + number);
        }
        return (int) number;
    }

    /** {@code 500ms}, {@code 30s}, {@code 2m}: positive, at most ten minutes. */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a duration such as 500ms, 30s or 2m, was '" + text + "'");
        }
        long amount = Long.parseLong(m.group(1));
        Duration duration = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            default -> Duration.ofMinutes(amount);
        };
        if (duration.isZero() || duration.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("expected a duration from 1ms to 10m, was '" + text + "'");
        }
        return duration;
    }

    /** Bytes: a whole number with an optional unit B, KB, MB or GB (powers of 1024, as keyscan's own sizes). */
    static int size(String text, int min, int max) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        String allowed = "a size from " + (min >> 10) + "KB to " + (max >> 30) + "GB such as 8MB or 1048576";
        if (!m.matches()) {
            throw new IllegalArgumentException("expected " + allowed + ", was '" + text + "'");
        }
        int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
            case "kb" -> 10;
            case "mb" -> 20;
            case "gb" -> 30;
            default -> 0;
        };
        long bytes = Long.parseLong(m.group(1));
        if (bytes > (Long.MAX_VALUE >> 30) || (bytes << shift) < min || (bytes << shift) > max) {
            throw new IllegalArgumentException("expected " + allowed + ", was '" + text + "'");
        }
        return (int) (bytes << shift);
    }

    /** A readable file named by an option, or a usage error saying which. */
    static Path readable(String option, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(option + " " + file + ": no such readable file");
        }
        return file;
    }
}
