package io.keyscan.examples.export;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Progress on standard error: on a terminal a bar redrawn in place five times a second, elsewhere (a log file, a
 * CI console) a plain line every ten seconds. Shows items done, their rate, and when the share done can be
 * estimated ({@code share} returns a value in 0..1, or a negative one when it cannot), the share and the time
 * left at the current pace.
 */
final class Progress implements AutoCloseable {

    /** How progress is shown. */
    enum Style {
        /** a bar if standard error is a terminal, plain lines otherwise */
        AUTO,
        BAR,
        PLAIN,
        NONE;

        static Style of(String name) {
            for (Style style : values()) {
                if (style.name().equalsIgnoreCase(name)) {
                    return style;
                }
            }
            throw new IllegalArgumentException("expected auto, bar, plain or none, was '" + name + "'");
        }
    }

    private static final int BAR_WIDTH = 24;

    private final PrintStream err;
    private final String noun;
    private final LongSupplier done;
    private final DoubleSupplier share;
    private final boolean bar;
    private final ScheduledExecutorService ticker;
    private final long start = System.nanoTime();
    private boolean closed;

    private Progress(PrintStream err, Style style, String noun, LongSupplier done, DoubleSupplier share) {
        this.err = err;
        this.noun = noun;
        this.done = done;
        this.share = share;
        this.bar = style == Style.BAR;
        this.ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "keyscan-export-progress");
            thread.setDaemon(true);
            return thread;
        });
        long period = bar ? 200 : 10_000;
        ticker.scheduleAtFixedRate(this::show, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts showing progress; a {@link Style#NONE} progress shows nothing.
     *
     * @param noun what {@code done} counts, e.g. "keys"
     */
    static AutoCloseable start(PrintStream err, Style style, String noun, LongSupplier done, DoubleSupplier share) {
        Style resolved = style == Style.AUTO ? (stderrIsTerminal() ? Style.BAR : Style.PLAIN) : style;
        if (resolved == Style.NONE) {
            return () -> { };
        }
        return new Progress(err, resolved, noun, done, share);
    }

    /**
     * Whether standard error is a terminal. Java 17 cannot ask this of one stream ({@code System.console()} asks it
     * of standard input and output together), so on Linux, where {@code /proc/self/fd/2} names what it is, that
     * decides; elsewhere, the console.
     */
    static boolean stderrIsTerminal() {
        Boolean terminal = terminal(2);
        return terminal != null ? terminal : System.console() != null;
    }

    /**
     * Whether file descriptor {@code fd} of this process (0, 1 or 2) is a terminal, where {@code /proc/self/fd}
     * says so (Linux); false where it cannot be told.
     */
    static boolean isTerminal(int fd) {
        return Boolean.TRUE.equals(terminal(fd));
    }

    /** What {@code /proc/self/fd/<fd>} says: a terminal or not; null where there is no such file. */
    private static @Nullable Boolean terminal(int fd) {
        Path link = Paths.get("/proc/self/fd/" + fd);
        try {
            if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                String target = Files.readSymbolicLink(link).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // cannot tell
        }
        return null;
    }

    private synchronized void show() {
        if (closed) {
            return;
        }
        String status = status();
        if (bar) {
            err.print("\r" + status + "\u001b[K");
        } else {
            err.println(status);
        }
        err.flush();
    }

    private String status() {
        long count = done.getAsLong();
        double seconds = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
        double rate = count / seconds;
        double fraction = share.getAsDouble();
        StringBuilder line = new StringBuilder();
        if (fraction >= 0) {
            fraction = Math.min(fraction, 1);
            if (bar) {
                int filled = (int) Math.round(fraction * BAR_WIDTH);
                line.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
            }
            line.append(String.format(Locale.ROOT, "%3.0f%%  ", fraction * 100));
        }
        line.append(String.format(Locale.ROOT, "%,d %s  %,.0f %s/s", count, noun, rate, noun));
        if (fraction > 0.01 && fraction < 1) {
            long left = Math.round(seconds * (1 - fraction) / fraction);
            line.append(String.format(Locale.ROOT, "  ~%d:%02d left", left / 60, left % 60));
        }
        return line.toString();
    }

    /** Stops; on a terminal, clears the bar's line so the summary that follows starts clean. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ticker.shutdownNow();
        if (bar) {
            err.print("\r\u001b[K");
            err.flush();
        }
    }
}
