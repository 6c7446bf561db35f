package io.keyscan.examples.export;

import io.lettuce.core.ScriptOutputType;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code import} command: reads an export file line by line and writes each line with one call of
 * {@code write-key.lua}, which restores the type, value and TTL atomically (a DUMP line with RESTORE). Up to
 * {@code concurrency} keys are written at once, pipelined; the lines of one key (a big value's parts) are written
 * one after the other, in order. The file is read as the writes complete, so memory stays bounded.
 *
 * <p>An existing key fails the import unless {@code --replace}; the first failure stops it, leaving the keys
 * written before it in place (an import is not a transaction). Writes are not retried: appending a part twice
 * would corrupt the value.
 */
final class Importer {

    /** What the {@code import} command was asked. */
    record Settings(@Nullable Path input, boolean replace, int concurrency, Progress.Style progress) {
    }

    /** A line and where it is in the file, for messages. */
    private record Numbered(long number, ImportLine line) {
    }

    private Importer() {
    }

    /** @return the exit code: 0 done, 1 failed, 130 interrupted */
    static int run(RedisTarget target, Settings settings, PrintStream err) throws IOException, InterruptedException {
        String source = settings.input() == null ? "standard input" : settings.input().toString();
        long size = settings.input() == null ? -1 : Files.size(settings.input());
        AtomicLong bytesRead = new AtomicLong();
        InputStream raw = settings.input() == null ? System.in : Files.newInputStream(settings.input());
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
        // a file that is not UTF-8 was not written by export: refuse it rather than import replacement characters
        BufferedReader reader = new BufferedReader(new InputStreamReader(counted, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
        String onExisting = settings.replace() ? "replace" : "fail";
        AtomicLong keys = new AtomicLong();
        AtomicLong lineNumber = new AtomicLong();

        Flux<Numbered> lines = Flux.using(() -> reader, in -> Flux.generate(sink -> {
            try {
                String text = in.readLine();
                if (text == null) {
                    sink.complete();
                    return;
                }
                long number = lineNumber.incrementAndGet();
                try {
                    sink.next(new Numbered(number, ImportLine.parse(text, onExisting)));
                } catch (IllegalArgumentException e) {
                    sink.error(new ExportException("line " + number + " of " + source + ": " + e.getMessage(), e));
                }
            } catch (IOException e) {
                sink.error(new UncheckedIOException("cannot read line " + (lineNumber.get() + 1) + " of " + source
                        + ": " + e.getMessage(), e));
            }
        }), Importer::closeQuietly);

        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch finished = new CountDownLatch(1);
        long start = System.nanoTime();
        AutoCloseable progress = Progress.start(err, settings.progress(), "keys", keys::get,
                () -> size <= 0 ? -1 : (double) bytesRead.get() / size);
        Disposable running = lines
                // consecutive lines of one key: its first line and the parts of a big value
                .windowUntilChanged(numbered -> ByteBuffer.wrap(numbered.line().key()), Objects::equals)
                .flatMap(oneKey -> {
                    KeyLines checked = new KeyLines(source);
                    return oneKey.concatMap(numbered -> write(target, checked.next(numbered), source)
                            .doOnSuccess(done -> {
                                if (numbered.line().first()) {
                                    keys.incrementAndGet();
                                }
                            }))
                            .concatWith(Mono.defer(checked::end));
                }, settings.concurrency())
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
                        keys.get(), source, lineNumber.get());
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
        if (failure.get() != null) {
            err.printf(Locale.ROOT, "Import failed after %,d keys: %s%n", keys.get(),
                    KeyExportTool.describe(failure.get()));
            return KeyExportTool.FAILED;
        }
        err.printf(Locale.ROOT, "Imported %,d keys from %s to %s in %.1f s (%,.0f keys/s).%n", keys.get(), source,
                target.address(), seconds, keys.get() / seconds);
        return KeyExportTool.OK;
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

    private static void closeQuietly(BufferedReader reader) {
        try {
            reader.close();
        } catch (IOException e) {
            // reading is over either way
        }
    }
}
