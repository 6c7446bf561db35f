package io.keyscan;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What a scanner does, for metrics and logs: give one to {@link KeyScanOptions.Builder#listener}. Every method
 * has an empty default; they are called on the threads that do the work, so they must be quick and must not
 * throw (an exception thrown by a listener is logged and otherwise ignored).
 */
public interface KeyScanListener {

    /** Which command a listing used. */
    enum Path {
        /** SCAN, the pages of one or more cursors. */
        SCAN,
        /** KEYS: the deprecated path. */
        KEYS,
        /** One EXISTS: the pattern names one key. */
        EXISTS
    }

    /**
     * A SCAN call returned a page of {@code keys} keys (before de-duplication).
     *
     * @param address the server, e.g. {@code 127.0.0.1:6379}
     * @param count the COUNT the call was sent with
     * @param keys how many keys the page held
     */
    default void onScanPage(String address, int count, int keys) {
    }

    /**
     * A command failed transiently and is about to be tried again.
     *
     * @param command the command, e.g. {@code SCAN}
     * @param address the server it was sent to
     * @param attempt the attempt that failed, 1 for the first
     * @param cause why it failed
     */
    default void onRetry(String command, String address, int attempt, Throwable cause) {
    }

    /**
     * A server was replaced during a listing (new {@code run_id}): it is scanned again from cursor 0.
     *
     * @param address the server that was replaced
     */
    default void onServerChange(String address) {
    }

    /**
     * A listing ended: after {@code duration}, with {@code keys} keys delivered, {@code error} {@code null} if it
     * completed (or was cancelled).
     *
     * @param path the command that listed the keys: SCAN or KEYS
     * @param duration how long the listing took
     * @param keys how many keys it delivered
     * @param error why it failed, or {@code null}
     */
    default void onListing(Path path, Duration duration, long keys, @Nullable Throwable error) {
    }
}
