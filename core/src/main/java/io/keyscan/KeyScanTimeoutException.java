package io.keyscan;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** A command kept timing out until the retry budget was spent. */
public class KeyScanTimeoutException extends KeyScanException {

    private static final long serialVersionUID = 1L;

    /** The per-command timeout that was exceeded. */
    private final Duration timeout;

    /**
     * @param message what failed, for humans
     * @param pattern the pattern being listed
     * @param cursor the SCAN cursor that failed, {@code null} for other commands
     * @param attempts how many times the command was tried
     * @param timeout the per-command timeout that each attempt exceeded
     * @param cause the last failure
     */
    public KeyScanTimeoutException(String message, String pattern, @Nullable String cursor, int attempts,
            Duration timeout, @Nullable Throwable cause) {
        super(message, pattern, cursor, attempts, cause);
        this.timeout = timeout;
    }

    /** {@return the per-command timeout that was exceeded} */
    public Duration timeout() {
        return timeout;
    }
}
