package io.keyscan.examples.export;

import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * Exports keys matching a pattern to NDJSON, and imports such files: see {@link Arguments#USAGE} and
 * {@code docs/export.md}.
 *
 * <pre>
 * ./mvnw -q -pl examples/exporter -am compile exec:java \
 *     -Dexec.args="export --redis-url redis://localhost:6379 --pattern 'app:*' --values --output keys.ndjson"
 * java -Xmx64m -jar examples/exporter/target/keyscan-export.jar import --redis-url redis://other:6379 --input keys.ndjson
 * </pre>
 */
public final class KeyExportTool {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    /** What a shell reports for a process ended by SIGINT (128 + 2); the JVM exits with it after Ctrl-C. */
    static final int INTERRUPTED = 130;

    private KeyExportTool() {
    }

    public static void main(String[] args) {
        int code = run(args, System.err);
        if (code != INTERRUPTED) {
            // after Ctrl-C the JVM is already exiting (with 130); System.exit would wait for it forever
            System.exit(code);
        }
    }

    static int run(String[] args, PrintStream err) {
        Arguments arguments;
        try {
            arguments = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(Arguments.USAGE);
            return USAGE;
        }
        if (arguments.command == Arguments.Command.HELP) {
            err.println(Arguments.USAGE);
            return args.length == 0 ? USAGE : OK;
        }
        List<RedisURI> uris = arguments.uris();
        try (RedisTarget target = arguments.redisUrl != null
                ? RedisTarget.standalone(uris.get(0), arguments.timeout)
                : RedisTarget.cluster(uris, arguments.timeout)) {
            if (arguments.command == Arguments.Command.EXPORT) {
                return Exporter.run(target, new Exporter.Settings(arguments.pattern, arguments.type, arguments.mode,
                        arguments.outputPath(), arguments.force, arguments.distinct, arguments.batch,
                        arguments.concurrency, arguments.progress, KeyReader.Limits.DEFAULT), err);
            }
            return Importer.run(target, new Importer.Settings(arguments.inputPath(), arguments.replace,
                    arguments.concurrency, arguments.progress), err);
        } catch (ExportException | UncheckedIOException | IOException e) {
            err.println("error: " + e.getMessage());
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted");
            return FAILED;
        } catch (RuntimeException e) {
            err.println("error: " + describe(e));
            return FAILED;
        } catch (Exception e) { // a dbsize that timed out or failed
            err.println("error: " + describe(e));
            return FAILED;
        }
    }

    /** A failure in one line: its message, and its cause's when that says more (Lettuce wraps Redis' reply). */
    static String describe(@Nullable Throwable failure) {
        if (failure == null) {
            return "unknown failure";
        }
        if (failure instanceof ExportException) {
            return failure.getMessage();
        }
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause
                && (cause.getMessage() == null || cause instanceof ExecutionException)) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return message + (cause.getCause() != null && cause.getCause().getMessage() != null
                && !message.contains(cause.getCause().getMessage()) ? " (" + cause.getCause().getMessage() + ")" : "");
    }
}
