package io.keyscan.examples.export;

import io.lettuce.core.ScriptOutputType;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code import} command: reads an export file line by line ({@link RecordReader}: each line at most
 * {@code maxLineBytes}, UTF-8 text, parsed with Jackson's streaming parser) and writes each line with one call of
 * {@code write-key.lua}, which restores the type, value and TTL atomically (a DUMP line with RESTORE). Up to
 * {@code concurrency} keys are written at once, pipelined; the lines of one key (a big value's parts) are written
 * one after the other, in order. The file is read as the writes complete, so memory stays bounded.
 *
 * <p>An existing key fails the import unless {@code --replace}; a bad line (too long, binary, not UTF-8, not JSON,
 * not an export line) or the first failed write stops it: nothing more is read, the writes already sent are
 * awaited, and the report says exactly how many lines and keys were written (an import is not a transaction: they
 * stay). Writes are not retried: appending a part twice would corrupt the value.
 */
final class Importer {

    /** What the {@code import} command was asked. */
    record Settings(@Nullable Path input, boolean replace, int concurrency, Progress.Style progress,
            int maxLineBytes) {
    }

    /** A line and where it is in the file, for messages. */
    private record Numbered(long number, ImportLine line) {
    }

    /** What was written: lines, keys begun (their first line) and keys whole (their last line too). */
    private static final class Written {
        final AtomicLong lines = new AtomicLong();
        final AtomicLong keys = new AtomicLong();
        final AtomicLong wholeKeys = new AtomicLong();

        void add(ImportLine line) {
            lines.incrementAndGet();
            if (line.first()) {
                keys.incrementAndGet();
            }
            if (line.last()) {
                wholeKeys.incrementAndGet();
            }
        }

        String summary() {
            long partial = keys.get() - wholeKeys.get();
            return String.format(Locale.ROOT, "%,d %s (%,d %s%s)", lines.get(), lines.get() == 1 ? "line" : "lines",
                    keys.get(), keys.get() == 1 ? "key" : "keys", partial == 0 ? ", each whole"
                            : String.format(Locale.ROOT, ", %,d of them only in part: a big value whose later lines "
                                    + "were not written", partial));
        }
    }

    private Importer() {
    }

    /**
     * @param stdin what {@code --input -} reads
     * @return the exit code: 0 done, 1 failed, 130 interrupted
     */
    static int run(RedisTarget target, Settings settings, InputStream stdin, PrintStream err)
            throws IOException, InterruptedException {
        String source = settings.input() == null ? "standard input" : settings.input().toString();
        long size = settings.input() == null ? -1 : Files.size(settings.input());
        AtomicLong bytesRead = new AtomicLong();
        InputStream raw = settings.input() == null ? stdin : Files.newInputStream(settings.input());
        InputStream counted = new FilterInputStream(raw) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    bytesRead.addAndGet(n);
                }
                return n;
            }
        };
        RecordReader reader = new RecordReader(counted, settings.maxLineBytes());
        String onExisting = settings.replace() ? "replace" : "fail";
        Written written = new Written();
        // set by the first failed write: read no further line, let the writes in flight finish
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<ExportException> badInput = new AtomicReference<>();

        Flux<Numbered> lines = Flux.using(() -> reader, in -> Flux.generate(sink -> {
            if (stop.get()) {
                sink.complete();
                return;
            }
            try {
                Object record = in.next();
                if (record == null) {
                    sink.complete();
                    return;
                }
                sink.next(new Numbered(in.lineNumber(), ImportLine.of(record, onExisting)));
            } catch (RecordReader.BadRecord e) {
                badInput.set(new ExportException("line " + e.line() + " of " + source + ": " + e.getMessage(), e));
                sink.complete();
            } catch (IllegalArgumentException e) { // not an export line
                badInput.set(new ExportException("line " + in.lineNumber() + " of " + source + ": " + e.getMessage(),
                        e));
                sink.complete();
            } catch (IOException e) {
                badInput.set(new ExportException("cannot read " + source + " after line " + in.lineNumber() + ": "
                        + e.getMessage(), e));
                sink.complete();
            }
        }), Importer::closeQuietly);

        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(1);
        long start = System.nanoTime();
        AutoCloseable progress = Progress.start(err, settings.progress(), "keys", written.keys::get,
                () -> size <= 0 ? -1 : (double) bytesRead.get() / size);
        Disposable running = lines
                // consecutive lines of one key: its first line and the parts of a big value
                .windowUntilChanged(numbered -> ByteBuffer.wrap(numbered.line().key()), Objects::equals)
                .flatMapDelayError(oneKey -> {
                    KeyLines checked = new KeyLines(source);
                    return oneKey.concatMap(numbered -> write(target, checked.next(numbered), source)
                                    .doOnSuccess(done -> written.add(numbered.line())))
                            .concatWith(Mono.defer(checked::end))
                            .doOnError(e -> stop.set(true));
                }, settings.concurrency(), WINDOW_PREFETCH)
                .subscribe(null, error -> {
                    failure.set(error);
                    finished.countDown();
                }, finished::countDown);
        AtomicReference<Boolean> interrupted = new AtomicReference<>(false);
        Thread onCtrlC = new Thread(() -> {
            if (finished.getCount() > 0) {
                interrupted.set(true);
                running.dispose();
                Exporter.closeQuietly(progress);
                err.printf(Locale.ROOT, "Interrupted: %,d keys imported from %s (the lines before line %,d).%n",
                        written.keys.get(), source, reader.lineNumber());
                err.flush();
                finished.countDown();
            }
        }, "keyscan-import-interrupt");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            finished.await();
        } finally {
            Exporter.removeHook(onCtrlC);
        }
        if (interrupted.get()) {
            return KeyExportTool.INTERRUPTED;
        }
        Exporter.closeQuietly(progress);
        double seconds = Math.max(1e-3, Duration.ofNanos(System.nanoTime() - start).toNanos() / 1e9);
        String failed = failures(failure.get(), badInput.get());
        if (failed != null) {
            err.printf(Locale.ROOT, "Import failed after writing %s of %s: %s%n", written.summary(), source, failed);
            return KeyExportTool.FAILED;
        }
        err.printf(Locale.ROOT, "Imported %,d keys from %s to %s in %.1f s (%,.0f keys/s).%n", written.keys.get(),
                source, target.address(), seconds, written.keys.get() / seconds);
        return KeyExportTool.OK;
    }

    /** Lines of one key a window may hold ahead of its writes. */
    private static final int WINDOW_PREFETCH = 32;

    /** Why the import stopped: the failed writes, then the bad line; null if nothing failed. */
    private static @Nullable String failures(@Nullable Throwable writes, @Nullable ExportException badInput) {
        List<String> reasons = new ArrayList<>();
        if (writes != null) {
            List<Throwable> each = Exceptions.unwrapMultiple(writes);
            reasons.add(KeyExportTool.describe(each.get(0)) + (each.size() > 1
                    ? String.format(Locale.ROOT, " (and %,d more writes failed)", each.size() - 1) : ""));
        }
        if (badInput != null) {
            reasons.add(badInput.getMessage() + (writes == null ? "; every line before it was written" : ""));
        }
        return reasons.isEmpty() ? null : String.join("; ", reasons);
    }

    /**
     * Checks that the lines of one key follow each other as an export writes them (a first line, then parts 2, 3...
     * while {@code "more"} says so) and gives the last part the TTL from the first line.
     */
    private static final class KeyLines {
        private final String source;
        private boolean open;
        private int nextPart;
        private long ttl;
        private long lastNumber;
        private byte[] key = new byte[0];

        KeyLines(String source) {
            this.source = source;
        }

        Numbered next(Numbered numbered) {
            ImportLine line = numbered.line();
            lastNumber = numbered.number();
            key = line.key();
            if (line.first()) {
                if (open) {
                    throw new ExportException("line " + numbered.number() + " of " + source + " starts key "
                            + Keys.show(line.key()) + " again while its value was to continue (\"more\": true)");
                }
                ttl = line.ttl();
                nextPart = 2;
                open = !line.last();
                return numbered;
            }
            if (!open || line.part() != nextPart) {
                throw new ExportException("line " + numbered.number() + " of " + source + " is part " + line.part()
                        + " of key " + Keys.show(line.key()) + ", but " + (open ? "part " + nextPart + " was next"
                        : "no earlier line of that key says \"more\": true"));
            }
            nextPart++;
            open = !line.last();
            return line.last() ? new Numbered(numbered.number(), line.withTtl(ttl)) : numbered;
        }

        /** After the key's last line: an error if its value was to continue. */
        Mono<Object> end() {
            if (!open) {
                return Mono.empty();
            }
            return Mono.error(new ExportException("line " + lastNumber + " of " + source + " says the value of key "
                    + Keys.show(key) + " continues (\"more\": true), but the next line is another key's or the file "
                    + "ends (an export cut short?); the key was imported in part"));
        }
    }

    private static Mono<Object> write(RedisTarget target, Numbered numbered, String source) {
        ImportLine line = numbered.line();
        return LuaScript.WRITE_KEY.<Object>run(target.commands(), ScriptOutputType.INTEGER, new byte[][] {line.key()},
                        line.scriptArgs())
                .onErrorMap(e -> !(e instanceof ExportException), e -> {
                    String message = String.valueOf(e.getMessage());
                    if (message.startsWith("BUSYKEY")) {
                        message = "the key exists; --replace overwrites existing keys (an export without --distinct on may "
                                + "also repeat a key)";
                    }
                    return new ExportException("line " + numbered.number() + " of " + source + ", key "
                            + Keys.show(line.key()) + ": " + message, e);
                });
    }

    private static void closeQuietly(RecordReader reader) {
        try {
            reader.close();
        } catch (IOException e) {
            // reading is over either way
        }
    }
}
