package io.keyscan.examples.export;

import io.keyscan.KeyScanListener;
import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.KeyType;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

/**
 * The {@code export} command: lists keys with keyscan's SCAN path ({@link KeyScanner#scanBytes}, byte-exact, each
 * key once unless duplicates are allowed), reads them in pipelined batches ({@link KeyReader}) and writes one NDJSON
 * line per key ({@link ExportLine}) as the output takes them ({@link LineSink}).
 *
 * <p>Memory is bounded whatever the keyspace: the listing follows demand (one SCAN page ahead), at most
 * {@code concurrency} batches are read at once, and lines are written as they come. The one part that can grow with
 * the keyspace is keyscan's de-duplication set ({@code distinctScan}): 16-byte fingerprints in tables that double,
 * up to {@value #DISTINCT_PEAK_BYTES_PER_KEY} bytes a key. {@code --distinct auto} uses it only when
 * that fits in half the heap for DBSIZE keys; otherwise the export runs in constant memory, and a key may be written
 * twice if the server resizes its table during the export (SCAN's own duplicates).
 */
final class Exporter {

    private static final Logger log = LoggerFactory.getLogger(Exporter.class);

    /** Lines read ahead per batch being read; a batch's lines come in one answer anyway. */
    private static final int LINES_PER_BATCH_AHEAD = 32;

    /**
     * Heap per key that keyscan's de-duplication set may take: 16-byte fingerprints in 64 tables, each at most 3/4
     * full and at least 3/8 full once grown (16 / 0.375 = 42.7 bytes a key right after they doubled), plus, while
     * one of them grows, its old array beside the new one: a sixty-fourth more.
     */
    static final int DISTINCT_PEAK_BYTES_PER_KEY = 44;

    /** What the {@code export} command was asked. */
    record Settings(String pattern, @Nullable KeyType type, KeyReader.Mode mode, @Nullable Path output, boolean force,
            Arguments.Distinct distinct, int batch, int concurrency, Progress.Style progress,
            KeyReader.Limits limits) {
    }

    private Exporter() {
    }

    /**
     * Runs an export to the end, or until Ctrl-C (a shutdown hook then closes the file and reports).
     *
     * @return the exit code: 0 done, 1 failed, 130 interrupted
     */
    static int run(RedisTarget target, Settings settings, PrintStream err) throws IOException, InterruptedException {
        AtomicLong visited = new AtomicLong();
        KeyScanListener pages = new KeyScanListener() {
            @Override
            public void onScanPage(String address, int count, int keys) {
                // SCAN reads about COUNT keys of the table per call, before MATCH: the share of the keyspace visited
                visited.addAndGet(count);
            }
        };
        // DBSIZE (summed over the masters of a cluster): the total that the share of the keyspace visited is of
        long total = Mono.fromCompletionStage(target.commands().dbsize())
                .block(Duration.ofSeconds(60));
        boolean distinct = distinct(settings.distinct(), total, Runtime.getRuntime().maxMemory(), err);
        KeyScanOptions options = KeyScanOptions.builder().environment(System.getenv()).useScan(true)
                .distinctScan(distinct).listener(pages).build();
        KeyScanner scanner = target.scanner(options);
        KeyReader.Counts counts = new KeyReader.Counts();
        KeyReader reader = new KeyReader(target.commands(), target.isCluster(), settings.mode(), settings.type(),
                settings.limits(), counts);

        String destination = settings.output() == null ? "standard output" : settings.output().toString();
        FileChannel channel = null;
        OutputStream out;
        if (settings.output() == null) {
            // not System.out, a PrintStream that swallows errors: a closed pipe (| head) must stop the export
            out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        } else {
            FileOutputStream file = open(settings.output(), settings.force());
            channel = file.getChannel();
            out = new BufferedOutputStream(file, 1 << 16);
        }
        LineSink sink = new LineSink(out, channel);
        long start = System.nanoTime();
        AutoCloseable progress = Progress.start(err, settings.progress(), "keys", sink::keys,
                () -> total == 0 ? -1 : Math.min(0.99, (double) visited.get() / total));
        Thread onCtrlC = new Thread(() -> {
            if (sink.interrupt()) {
                closeQuietly(progress);
                err.printf(Locale.ROOT, "Interrupted: %,d keys written to %s, every line complete (the keys "
                        + "exported so far).%n", sink.keys(), destination);
                err.flush();
            }
        }, "keyscan-export-interrupt");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        // What can outgrow the heap is the de-duplication set (--distinct on). An OutOfMemoryError is thrown where
        // the allocation failed, on Lettuce's event loop or a Reactor thread, which only log it and go on: the
        // export would then wait forever. End it from there instead; the memory the failed allocation asked for is
        // not taken, so closing the file still works.
        Hooks.onErrorDropped(error -> {
            if (!failOnFatal(sink, error)) {
                log.error("Operator called onErrorDropped", error); // as Reactor's default hook does
            }
        });
        Thread.UncaughtExceptionHandler uncaught = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
            failOnFatal(sink, error);
            if (uncaught != null) {
                uncaught.uncaughtException(thread, error);
            } else { // what the JVM prints without a handler (ThreadGroup's would call this one again)
                System.err.print("Exception in thread \"" + thread.getName() + "\" ");
                error.printStackTrace(System.err);
            }
        });
        try {
            Flux<ExportLine> lines = scanner.scanBytes(settings.pattern())
                    .buffer(settings.batch())
                    .flatMapSequential(reader::read, settings.concurrency(), LINES_PER_BATCH_AHEAD);
            lines.subscribe(sink);
            sink.await();
        } finally {
            removeHook(onCtrlC);
            Hooks.resetOnErrorDropped(); // all of them: this command-line tool sets no other
            Thread.setDefaultUncaughtExceptionHandler(uncaught);
        }
        if (sink.outcome() == LineSink.Outcome.INTERRUPTED) {
            return KeyExportTool.INTERRUPTED; // the hook reported it
        }
        closeQuietly(progress);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        String notes = notes(counts);
        if (sink.outcome() == LineSink.Outcome.FAILED) {
            err.printf(Locale.ROOT, "Export failed after %,d keys: %s%n", sink.keys(),
                    describeFailure(sink.failure()));
            if (settings.output() != null) {
                err.printf(Locale.ROOT, "%s holds the keys exported before, every line complete.%n", destination);
            }
            return KeyExportTool.FAILED;
        }
        double seconds = Math.max(1e-3, took.toNanos() / 1e9);
        err.printf(Locale.ROOT, "Exported %,d %s (%,.1f MB) to %s in %.1f s (%,.0f keys/s)%s.%n", sink.keys(),
                sink.keys() == 1 ? "key" : "keys",
                sink.bytes() / 1e6, destination, seconds, sink.keys() / seconds, notes);
        return KeyExportTool.OK;
    }

    /** Ends the export on an error the JVM cannot go on from; anything else is logged as Reactor would. */
    /** Ends the export if {@code error} is, or was caused by, an error the JVM cannot go on from. */
    private static boolean failOnFatal(LineSink sink, Throwable error) {
        if (fatal(error) == null) {
            return false;
        }
        sink.fail(error);
        return true;
    }

    /** The {@link VirtualMachineError} in {@code error}'s cause chain (keyscan wraps what a command failed with). */
    static @Nullable VirtualMachineError fatal(@Nullable Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof VirtualMachineError fatal) {
                return fatal;
            }
        }
        return null;
    }

    /** Why the export failed, in words; for running out of heap, what to do about it. */
    static String describeFailure(@Nullable Throwable failure) {
        VirtualMachineError fatal = fatal(failure);
        if (fatal instanceof OutOfMemoryError) {
            String message = String.valueOf(fatal.getMessage());
            return "out of memory (" + message + ")" + (message.contains("heap") || message.contains("GC overhead")
                    ? ": give the JVM more (-Xmx) or export with --distinct off (constant memory)" : "");
        }
        return KeyExportTool.describe(failure);
    }

    /** Whether to de-duplicate: as asked, or for {@code auto} when the set fits in half of {@code maxHeap}. */
    static boolean distinct(Arguments.Distinct asked, long keys, long maxHeap, PrintStream err) {
        if (asked != Arguments.Distinct.AUTO) {
            return asked == Arguments.Distinct.ON;
        }
        long need = keys * DISTINCT_PEAK_BYTES_PER_KEY;
        if (need <= maxHeap / 2) {
            return true;
        }
        err.printf(Locale.ROOT, "Note: writing each key once would take up to %,d MB of the %,d MB heap for the %,d "
                + "keys of the keyspace, so this export runs in constant memory instead: a key may be written twice "
                + "if the server resizes its table meanwhile (import with --replace). --distinct on (with a larger "
                + "-Xmx) writes each key once.%n", need >> 20, maxHeap >> 20, keys);
        return false;
    }

    private static FileOutputStream open(Path output, boolean force) throws IOException {
        if (!force && Files.exists(output)) {
            throw new ExportException(output + " exists; --force overwrites it");
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new ExportException("the directory of " + output + " does not exist");
        }
        // opened (and truncated) only now, once the server answered: a failed connection leaves an older file as it was
        return new FileOutputStream(output.toFile());
    }

    private static String notes(KeyReader.Counts counts) {
        StringBuilder notes = new StringBuilder();
        if (counts.vanished.get() > 0) {
            notes.append(String.format(Locale.ROOT, "; %,d listed keys were gone when read (deleted or expired)",
                    counts.vanished.get()));
        }
        if (counts.otherType.get() > 0) {
            notes.append(String.format(Locale.ROOT, "; %,d keys of other types left out", counts.otherType.get()));
        }
        return notes.toString();
    }

    static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is shutting down (Ctrl-C): the hook runs, or ran
        }
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // progress display only
        }
    }
}
