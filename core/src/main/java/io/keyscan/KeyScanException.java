package io.keyscan;

import org.jspecify.annotations.Nullable;

/**
 * A key listing failed and produced no result. Never a partial list: a listing either completes with every
 * key or ends with this exception.
 *
 * <p>The message names the pattern, the server, the command and cursor that failed, how many attempts were
 * made and why; the original failure is the {@linkplain #getCause() cause}.
 */
public class KeyScanException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The pattern whose listing failed. */
    private final String pattern;
    /** The SCAN cursor of the failed call, {@code null} for other commands. */
    private final @Nullable String cursor;
    /** How many times the failed command was tried. */
    private final int attempts;

    /**
     * @param message what failed, for humans
     * @param pattern the pattern being listed
     * @param cursor the SCAN cursor that failed, {@code null} for other commands
     * @param attempts how many times the failing command was tried
     * @param cause the last failure
     */
    public KeyScanException(String message, String pattern, @Nullable String cursor, int attempts,
            @Nullable Throwable cause) {
        super(message, cause);
        this.pattern = pattern;
        this.cursor = cursor;
        this.attempts = attempts;
    }

    /** {@return the pattern whose listing failed} */
    public String pattern() {
        return pattern;
    }

    /** {@return the SCAN cursor of the failed call, or {@code null} when the failed command was not a SCAN} */
    public @Nullable String cursor() {
        return cursor;
    }

    /** {@return how many times the failed command was tried} */
    public int attempts() {
        return attempts;
    }
}
