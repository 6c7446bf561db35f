package io.keyscan.examples.export;

import io.keyscan.testkit.Jvm;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The tool in a JVM of its own, as a user runs it: its own heap limit, and signals that reach only it. */
final class ForkedTool implements AutoCloseable {

    private final Process process;
    private final Path stderr;

    private ForkedTool(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
    }

    static ForkedTool start(List<String> jvmOptions, Path stderr, String... args) throws IOException {
        return start(jvmOptions, Map.of(), stderr, args);
    }

    /**
     * With {@code env} added to the child's environment (a password: never on its command line). Its standard
     * input is a pipe ({@link #stdin()}); its standard output is discarded.
     */
    static ForkedTool start(List<String> jvmOptions, Map<String, String> env, Path stderr, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(Jvm.command(KeyExportTool.class, jvmOptions, List.of(args)));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile());
        // the password comes only from what the test gives
        builder.environment().remove(Password.KEYSCAN_PASSWORD);
        builder.environment().remove(Password.REDISCLI_AUTH);
        builder.environment().putAll(env);
        return new ForkedTool(builder.start(), stderr);
    }

    /** The tool's standard input. */
    OutputStream stdin() {
        return process.getOutputStream();
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the exit; fails with what the tool said if it does not end in time. */
    int waitFor(Duration timeout) throws IOException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the tool did not exit within " + timeout + "; it said:\n" + stderr());
        }
        return process.exitValue();
    }

    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    /**
     * Sends SIGINT, as Ctrl-C does; SIGTERM if this process ignores SIGINT (a JVM keeps SIGINT ignored when it
     * inherits it so, e.g. from a shell without job control running it in the background). Both run the same
     * shutdown hooks.
     *
     * @return the signal sent
     */
    String interrupt() throws IOException, InterruptedException {
        String signal = ignoresSigint(process.pid()) ? "TERM" : "INT";
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
        return signal;
    }

    /** Whether SIGINT (2) is in the process' ignored-signal mask, from {@code /proc/<pid>/status}. */
    private static boolean ignoresSigint(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("SigIgn:")) {
                long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
                return (mask & (1L << (2 - 1))) != 0;
            }
        }
        return false;
    }

    /**
     * Waits, on file-system events rather than a timer, until {@code file} holds at least {@code bytes} bytes.
     *
     * @return false if it did not within {@code timeout} or the process ended first
     */
    boolean awaitFileSize(Path file, long bytes, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
            file.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            while (true) {
                if (Files.exists(file) && Files.size(file) >= bytes) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive()) {
                    return Files.exists(file) && Files.size(file) >= bytes;
                }
                var key = watcher.poll(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        } catch (ClosedWatchServiceException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
