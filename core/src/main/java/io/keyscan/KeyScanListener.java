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

    /** A SCAN call returned a page of {@code keys} keys (before de-duplication). */
    default void onScanPage(String address, int count, int keys) {
    }

    /** A command failed transiently and is about to be tried again. */
    default void onRetry(String command, String address, int attempt, Throwable cause) {
    }

    /** A server was replaced during a listing (new {@code run_id}): it is scanned again from cursor 0. */
    default void onServerChange(String address) {
    }

    /**
     * A listing ended: after {@code duration}, with {@code keys} keys delivered, {@code error} {@code null} if it
     * completed (or was cancelled).
     */
    default void onListing(Path path, Duration duration, long keys, @Nullable Throwable error) {
    }
}
