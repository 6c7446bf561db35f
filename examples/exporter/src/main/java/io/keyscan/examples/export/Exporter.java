package io.keyscan.examples.export;

import io.keyscan.KeyScanException;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code export} command: lists keys with keyscan's SCAN path ({@link KeyScanner#scanBytes}, byte-exact, each
 * key once unless duplicates are allowed), reads them in pipelined batches ({@link KeyReader}) and writes one NDJSON
 * line per key ({@link ExportLine}) as the output takes them ({@link LineSink}).
 *
 * <p>Memory is bounded whatever the keyspace: the listing follows demand (one SCAN page ahead), at most
 * {@code concurrency} batches are read at once, and lines are written as they come. The one part that can grow with
 * the keyspace is keyscan's de-duplication set ({@code distinctScan}): 16-byte fingerprints in tables that double,
 * up to {@value #DISTINCT_PEAK_BYTES_PER_KEY} bytes a key, capped by keyscan's {@code distinctMemoryLimit} (a quarter
 * of the heap unless {@code KEYSCAN_DISTINCT_MEMORY_LIMIT} says otherwise): an export that would pass it fails at
 * once, with every line written so far complete, instead of running out of heap. {@code --distinct auto} uses the
 * set only when DBSIZE keys fit in that limit; otherwise the export runs in constant memory, and a key may be
 * written twice if the server resizes its table during the export (SCAN's own duplicates).
 */
final class Exporter {

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
        // keyscan's own limit for the de-duplication set, a quarter of the heap: a long-lived set lives in the old
        // generation, which is only part of the heap (tried: half of a 24 MB heap ran out before the limit).
        KeyScanOptions.Builder builder = KeyScanOptions.builder().useScan(true).listener(pages)
                .environment(System.getenv());
        boolean distinct = distinct(settings.distinct(), total, builder.build().distinctMemoryLimit(), err);
        KeyScanOptions options = builder.distinctScan(distinct).build();
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
        try {
            Flux<ExportLine> lines = scanner.scanBytes(settings.pattern())
                    .buffer(settings.batch())
                    .flatMapSequential(reader::read, settings.concurrency(), LINES_PER_BATCH_AHEAD);
            lines.subscribe(sink);
            sink.await();
        } finally {
            removeHook(onCtrlC);
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

    /**
     * Why the export failed, in words; where the de-duplication set would pass keyscan's memory limit, what to do
     * about it with this tool's options.
     */
    static String describeFailure(@Nullable Throwable failure) {
        String described = KeyExportTool.describe(failure);
        if (failure instanceof KeyScanException && String.valueOf(failure.getMessage()).contains("distinctMemoryLimit")) {
            return described + ". With this tool: export with --distinct off (constant memory), or give the JVM more "
                    + "heap (-Xmx; the limit is a quarter of it) or set KEYSCAN_DISTINCT_MEMORY_LIMIT";
        }
        return described;
    }

    /** Whether to de-duplicate: as asked, or for {@code auto} when the set fits in {@code limit} bytes. */
    static boolean distinct(Arguments.Distinct asked, long keys, long limit, PrintStream err) {
        if (asked != Arguments.Distinct.AUTO) {
            return asked == Arguments.Distinct.ON;
        }
        long need = keys * DISTINCT_PEAK_BYTES_PER_KEY;
        if (need <= limit) {
            return true;
        }
        err.printf(Locale.ROOT, "Note: writing each key once would take up to %,d MB for the %,d keys of the keyspace, "
                + "more than the %,d MB keyscan may use for it (distinctMemoryLimit), so this export runs in constant "
                + "memory instead: a key may be written twice if the server resizes its table meanwhile (import with "
                + "--replace). --distinct on (with a larger -Xmx) writes each key once.%n", need >> 20, keys,
                limit >> 20);
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
