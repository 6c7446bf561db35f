package io.keyscan.examples.export;

import io.lettuce.core.RedisURI;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Exports keys matching a pattern to NDJSON, and imports such files: see {@code keyscan-export --help} and
 * {@code docs/export.md}.
 *
 * <pre>
 * ./mvnw -q -pl examples/exporter -am package -DskipTests
 * examples/exporter/target/keyscan-export-VERSION/bin/keyscan-export ... (unpacked from the .tar.gz or .zip)
 * java -Xmx64m -jar examples/exporter/target/keyscan-export.jar import --redis-url redis://other:6379 --input keys.ndjson
 * </pre>
 */
public final class KeyExportTool {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    /** What a shell reports for a process ended by SIGINT (128 + 2); the JVM exits with it after Ctrl-C. */
    static final int INTERRUPTED = 130;

    /**
     * What the tool reads and writes besides its arguments: the environment (the password), standard input (import
     * from {@code -}, {@code --askpass}), standard output (help, version) and standard error (everything else).
     *
     * @param console the terminal {@code --askpass} reads from without echo; null: none
     */
    record Io(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, @Nullable Console console) {

        static Io system() {
            return new Io(System.getenv(), System.in, System.out, System.err, System.console());
        }
    }

    private KeyExportTool() {
    }

    public static void main(String[] args) {
        int code = run(args, Io.system());
        if (code != INTERRUPTED) {
            // after Ctrl-C the JVM is already exiting (with 130); System.exit would wait for it forever
            System.exit(code);
        }
    }

    /** Runs the command line {@code args}; returns the exit code: 0 done, 1 failed, 2 usage error, 130 interrupted. */
    static int run(String[] args, Io io) {
        CommandLine commandLine = Arguments.commandLine();
        PrintWriter out = writer(io.out());
        PrintWriter err = writer(io.err());
        commandLine.setOut(out).setErr(err);
        Arguments arguments;
        try {
            if (args.length == 0) {
                commandLine.usage(err);
                return USAGE;
            }
            ParseResult parsed = commandLine.parseArgs(args);
            if (CommandLine.printHelpIfRequested(parsed)) {
                return OK; // --help, --version, help [COMMAND]: on standard output
            }
            arguments = Arguments.of(commandLine, parsed);
        } catch (ParameterException e) {
            usageError(e, err);
            return USAGE;
        } finally {
            out.flush();
            err.flush();
        }
        char[] password;
        try {
            password = Password.resolve(arguments.connection, arguments.askpass, io);
        } catch (ExportException | IOException e) {
            io.err().println("error: " + e.getMessage());
            return USAGE;
        }
        return execute(arguments, arguments.connection.resolve(password), io);
    }

    private static int execute(Arguments arguments, List<RedisURI> uris, Io io) {
        PrintStream err = io.err();
        Connection connection = arguments.connection;
        try (RedisTarget target = connection.cluster()
                ? RedisTarget.cluster(uris, connection.timeout(), connection.sslOptions())
                : RedisTarget.standalone(uris.get(0), connection.timeout(), connection.sslOptions())) {
            if (arguments.command == Arguments.Command.EXPORT) {
                return Exporter.run(target, new Exporter.Settings(arguments.pattern, arguments.type, arguments.mode,
                        arguments.outputPath(), arguments.force, arguments.distinct, arguments.batch,
                        arguments.concurrency, arguments.progress, KeyReader.Limits.DEFAULT), err);
            }
            return Importer.run(target, new Importer.Settings(arguments.inputPath(), arguments.replace,
                    arguments.concurrency, arguments.progress, arguments.maxLineBytes()), io.in(), err);
        } catch (ExportException | UncheckedIOException | IOException e) {
            err.println("error: " + Connection.mask(String.valueOf(e.getMessage())));
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted");
            return FAILED;
        } catch (Exception e) { // a connection refused or not trusted, a dbsize that timed out or failed
            err.println("error: " + describe(e));
            return FAILED;
        }
    }

    /** A usage error: what is wrong (URIs masked), near misses of a mistyped option, where help is. */
    private static void usageError(ParameterException e, PrintWriter err) {
        CommandLine command = e.getCommandLine();
        String message = e.getMessage();
        if (e instanceof UnmatchedArgumentException unmatched && command.getParent() == null
                && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
            message = "unknown command '" + unmatched.getUnmatched().get(0) + "': expected export, import or help";
        }
        err.println("error: " + Connection.mask(String.valueOf(message)));
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for the options.");
    }

    private static PrintWriter writer(PrintStream stream) {
        return new PrintWriter(stream, true);
    }

    /**
     * A failure in one line: its message, and its cause's when that says more (Lettuce wraps Redis' reply); a hint
     * when the server's certificate was not trusted. URIs in it are masked.
     */
    static String describe(@Nullable Throwable failure) {
        if (failure == null) {
            return "unknown failure";
        }
        if (failure instanceof ExportException) {
            return Connection.mask(String.valueOf(failure.getMessage()));
        }
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause
                && (cause.getMessage() == null || cause instanceof ExecutionException)) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        message += cause.getCause() != null && cause.getCause().getMessage() != null
                && !message.contains(cause.getCause().getMessage()) ? " (" + cause.getCause().getMessage() + ")" : "";
        return Connection.mask(message + tlsHint(failure));
    }

    /** What to do when TLS failed: trust the server's CA, present a client certificate, or (tests) not verify. */
    private static String tlsHint(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof CertificateException || cause instanceof SSLException) {
                return ". TLS failed: give the CA that signed the server's certificate with --cacert FILE; a server "
                        + "that asks for a client certificate needs --cert FILE --key FILE; --insecure skips "
                        + "verification (tests only)";
            }
        }
        return "";
    }
}
