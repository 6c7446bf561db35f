package io.keyscan.lettuce;

import io.lettuce.core.AbstractRedisClient;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shuts down a Lettuce client that keyscan created, waiting a bounded time. Lettuce's own
 * {@code shutdown(quietPeriod, timeout)} waits for its future without a bound, and that future has been seen never
 * to complete (a cluster topology refresh racing the shutdown: redis/lettuce#2278, #3089), which would hang the
 * caller of {@code KeyScanner.close()}, often an application shutting down.
 */
final class ClientShutdown {

    private static final Logger log = LoggerFactory.getLogger(ClientShutdown.class);

    /** Lettuce's own default timeout for the event loops to stop. */
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    /** How long {@link #shutdown} waits for Lettuce in all: its timeout and as much again for closing channels. */
    static final Duration WAIT = TIMEOUT.multipliedBy(2);

    private ClientShutdown() {
    }

    /** Shuts {@code client} down, waiting at most {@link #WAIT}. */
    static void shutdown(AbstractRedisClient client) {
        shutdown(client, WAIT);
    }

    /** Shuts {@code client} down, waiting at most {@code wait}; a shutdown that takes longer goes on unwaited. */
    static void shutdown(AbstractRedisClient client, Duration wait) {
        try {
            client.shutdownAsync(0, TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(wait.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("The Lettuce client keyscan created did not finish shutting down within {} ms; not waiting "
                    + "longer (a known Lettuce issue: redis/lettuce#2278)", wait.toMillis());
        } catch (ExecutionException e) {
            log.warn("The Lettuce client keyscan created failed to shut down cleanly", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
