package io.keyscan;

import io.keyscan.spi.FailureKind;
import io.keyscan.spi.RedisKeyspace;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Runs one Redis command with its own timeout, retrying transient failures with exponential backoff and
 * jitter. The command is re-sent as it was (same cursor), never a later or earlier one.
 *
 * <p>Each attempt is a fresh subscription to the command supplier, so the adapter's cold publishers send
 * the command again. The timeout applies to one attempt; waiting for downstream demand is never timed.
 */
final class CommandRunner {

    private static final Logger log = LoggerFactory.getLogger(CommandRunner.class);

    private final RedisKeyspace keyspace;
    private final Duration timeout;
    private final int maxAttempts;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final DoubleSupplier random;
    private final Scheduler timer;
    private final KeyScanListener listener;

    CommandRunner(RedisKeyspace keyspace, KeyScanOptions options, DoubleSupplier random) {
        this(keyspace, options, random, Schedulers.parallel());
    }

    /** @param timer where backoff pauses are timed: a virtual-time scheduler in tests */
    CommandRunner(RedisKeyspace keyspace, KeyScanOptions options, DoubleSupplier random, Scheduler timer) {
        this.keyspace = keyspace;
        this.timer = timer;
        this.timeout = options.commandTimeout();
        this.maxAttempts = options.retryMaxAttempts();
        this.firstBackoff = options.retryFirstBackoff();
        this.maxBackoff = options.retryMaxBackoff();
        this.random = random;
        this.listener = options.listener();
    }

    /**
     * A command's reply, with how many attempts it took.
     *
     * @param value the reply
     * @param attempts the attempts it took, counting the first
     */
    record Attempt<T>(T value, int attempts) {
    }

    /** What is being run, for log lines and error messages. */
    static final class Call {
        final String command;
        final String pattern;
        /** Read when a message is written: an adapter may learn the server's address from the command itself. */
        final Supplier<String> address;
        final @Nullable String cursor;
        /**
         * Whether the command holds the server for as long as it runs (KEYS): one that timed out is not sent
         * again (the server may still be running it), and one the server does not offer gets the SCAN hint.
         */
        final boolean blocksServer;

        Call(String command, String pattern, Supplier<String> address, @Nullable String cursor) {
            this(command, pattern, address, cursor, false);
        }

        private Call(String command, String pattern, Supplier<String> address, @Nullable String cursor,
                boolean blocksServer) {
            this.command = command;
            this.pattern = pattern;
            this.address = address;
            this.cursor = cursor;
            this.blocksServer = blocksServer;
        }

        /** A KEYS call: see {@link #blocksServer}. */
        static Call keys(String pattern, Supplier<String> address) {
            return new Call("KEYS", pattern, address, null, true);
        }

        String describe() {
            return command + " of pattern " + Patterns.abbreviate(pattern) + " on " + address.get()
                    + (cursor == null ? "" : " at cursor " + cursor);
        }
    }

    /**
     * {@code command}, with its timeout and retries. Cold: each subscription runs the command anew.
     *
     * <p>Retries are this class's own {@code onErrorResume} chain rather than {@code Retry.backoff}: the decision
     * per failure needs the command (a KEYS that timed out is not sent again), and each retry must be logged and
     * reported with the command's cursor and the failure. A cancellation is remembered for the whole call: reactor's
     * fallback subscription can lose a race with a cancel (it may still be subscribed when the cancel arrives while
     * the failure is being handled), and a retry of a call given up on must not send the command again.
     */
    <T> Mono<Attempt<T>> run(Supplier<Mono<T>> command, Call call) {
        return Mono.defer(() -> {
            AtomicBoolean givenUp = new AtomicBoolean();
            return attempt(command, call, 1, givenUp).doOnCancel(() -> givenUp.set(true));
        });
    }

    private <T> Mono<Attempt<T>> attempt(Supplier<Mono<T>> command, Call call, int attempt, AtomicBoolean givenUp) {
        return Mono.defer(() -> givenUp.get() ? Mono.<Attempt<T>>empty() : command.get()
                .timeout(timeout)
                .switchIfEmpty(Mono.error(() -> new IllegalStateException(call.command + " completed without a reply")))
                .map(value -> new Attempt<>(value, attempt))
        ).onErrorResume(error -> {
            FailureKind kind = classify(error);
            if (!kind.isTransient()) {
                return Mono.error(permanentFailure(call, attempt, error, kind));
            }
            if (call.blocksServer && kind == FailureKind.TIMEOUT) {
                // A server goes on running a KEYS the client gave up on: another attempt could block it again.
                return Mono.error(new KeyScanTimeoutException(call.describe() + " got no reply within the command "
                        + "timeout (" + format(timeout) + ") and is not retried: the server may still be running it, "
                        + "and another attempt would block it again. Set useScan = true (KEYSCAN_USE_SCAN=true) to list "
                        + "keys with SCAN, which never holds the server for long", call.pattern, null, attempt,
                        timeout, error));
            }
            if (attempt >= maxAttempts) {
                return Mono.error(retriesExhausted(call, attempt, error, kind));
            }
            Duration backoff = backoff(attempt);
            try {
                listener.onRetry(call.command, call.address.get(), attempt, error);
            } catch (RuntimeException e) {
                log.warn("KeyScanListener.onRetry failed; ignored", e);
            }
            log.warn("{} failed (attempt {} of {}), retrying in {} ms: {}", call.describe(), attempt, maxAttempts,
                    backoff.toMillis(), describe(error));
            return Mono.delay(backoff, timer).then(attempt(command, call, attempt + 1, givenUp));
        });
    }

    /** Our own per-command timeout, else what the adapter says the failure is. */
    FailureKind classify(Throwable error) {
        return error instanceof TimeoutException ? FailureKind.TIMEOUT : keyspace.classify(error);
    }

    boolean isTransient(Throwable error) {
        return classify(error).isTransient();
    }

    /**
     * The pause after failed attempt {@code attempt}: {@code firstBackoff * 2^(attempt-1)} capped at
     * {@code maxBackoff}, then jittered into its upper half so that clients retrying together spread out.
     */
    Duration backoff(int attempt) {
        long cap = maxBackoff.toNanos();
        long exponential = firstBackoff.toNanos();
        for (int i = 1; i < attempt && exponential < cap; i++) {
            exponential = Math.min(cap, exponential * 2);
        }
        long half = exponential / 2;
        return Duration.ofNanos(half + (long) (random.getAsDouble() * (exponential - half)));
    }

    private KeyScanException retriesExhausted(Call call, int attempts, Throwable error, FailureKind kind) {
        String message = call.describe() + " failed after " + attempts + (attempts == 1 ? " attempt" : " attempts")
                + " (command timeout " + format(timeout) + "): " + describe(error);
        if (kind == FailureKind.TIMEOUT) {
            return new KeyScanTimeoutException(message, call.pattern, call.cursor, attempts, timeout, error);
        }
        return new KeyScanException(message, call.pattern, call.cursor, attempts, error);
    }

    private KeyScanException permanentFailure(Call call, int attempts, Throwable error, FailureKind kind) {
        if (error instanceof KeyScanException) {
            return (KeyScanException) error;
        }
        String message = call.describe() + " failed and is not retried: " + describe(error);
        if (call.blocksServer && kind == FailureKind.COMMAND_UNAVAILABLE) {
            message += ". KEYS is unavailable on this server; set useScan = true (KEYSCAN_USE_SCAN=true) to list "
                    + "keys with SCAN instead";
        }
        return new KeyScanException(message, call.pattern, call.cursor, attempts, error);
    }

    static String describe(Throwable error) {
        if (error instanceof TimeoutException) {
            return "no reply within the command timeout";
        }
        String message = error.getMessage();
        return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
