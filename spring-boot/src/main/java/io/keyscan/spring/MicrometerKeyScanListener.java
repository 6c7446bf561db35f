package io.keyscan.spring;

import io.keyscan.KeyScanListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Records what scanners do as Micrometer meters. Tags take a few fixed values only (the listing path, the outcome,
 * the command's name): never a pattern, a key or a server address, so that the number of time series stays bounded
 * however the application lists keys. Every meter is registered up front, so that a dashboard shows a zero (for
 * instance no listing on the deprecated KEYS path) rather than nothing.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>counts</th></tr>
 *   <tr><td>{@code keyscan.scan.pages}</td><td>counter</td><td></td><td>SCAN calls answered, on every server</td></tr>
 *   <tr><td>{@code keyscan.keys}</td><td>counter</td><td>{@code path}</td><td>keys delivered by listings</td></tr>
 *   <tr><td>{@code keyscan.retries}</td><td>counter</td><td>{@code command}</td><td>commands tried again</td></tr>
 *   <tr><td>{@code keyscan.server.changes}</td><td>counter</td><td></td><td>rescans after a server was replaced</td></tr>
 *   <tr><td>{@code keyscan.keys.calls}</td><td>counter</td><td></td><td>listings on the deprecated KEYS path</td></tr>
 *   <tr><td>{@code keyscan.listings}</td><td>timer</td><td>{@code path}, {@code outcome}</td><td>listings and their
 *       duration</td></tr>
 * </table>
 */
final class MicrometerKeyScanListener implements KeyScanListener {

    static final String PAGES = "keyscan.scan.pages";
    static final String KEYS = "keyscan.keys";
    static final String RETRIES = "keyscan.retries";
    static final String SERVER_CHANGES = "keyscan.server.changes";
    static final String KEYS_CALLS = "keyscan.keys.calls";
    static final String LISTINGS = "keyscan.listings";

    /** The {@code command} tag's values: the commands keyscan retries; anything else is {@code other}. */
    static final Set<String> RETRIED_COMMANDS = Set.of("scan", "keys", "exists", "type", "mget", "info", "other");

    private final Counter pages;
    private final Counter serverChanges;
    private final Counter keysCalls;
    private final Map<Path, Counter> keys = new EnumMap<>(Path.class);
    private final Map<Path, Timer> successes = new EnumMap<>(Path.class);
    private final Map<Path, Timer> errors = new EnumMap<>(Path.class);
    private final Map<String, Counter> retries = new ConcurrentHashMap<>();

    MicrometerKeyScanListener(MeterRegistry registry) {
        pages = Counter.builder(PAGES)
                .description("SCAN calls answered (pages of keys), on every server")
                .register(registry);
        serverChanges = Counter.builder(SERVER_CHANGES)
                .description("Servers rescanned from cursor 0 because they were replaced (restart, failover) "
                        + "during a listing")
                .register(registry);
        keysCalls = Counter.builder(KEYS_CALLS)
                .description("Listings on the deprecated KEYS path (keyscan.use-scan=false); each held the Redis "
                        + "server for its whole duration")
                .register(registry);
        for (Path path : Path.values()) {
            String tag = tag(path);
            keys.put(path, Counter.builder(KEYS)
                    .description("Keys delivered by listings")
                    .tag("path", tag)
                    .register(registry));
            successes.put(path, listings(tag, "success").register(registry));
            errors.put(path, listings(tag, "error").register(registry));
        }
        for (String command : RETRIED_COMMANDS) {
            retries.put(command, Counter.builder(RETRIES)
                    .description("Redis commands that failed transiently and were tried again")
                    .tag("command", command)
                    .register(registry));
        }
    }

    private static Timer.Builder listings(String path, String outcome) {
        return Timer.builder(LISTINGS)
                .description("Listings (scan, keys, fetchKeys...), from subscription to completion, error or "
                        + "cancellation (counted as success)")
                .tag("path", path)
                .tag("outcome", outcome);
    }

    static String tag(Path path) {
        return path.name().toLowerCase(Locale.ROOT);
    }

    /** {@code SCAN} is {@code scan}, {@code INFO server} is {@code info}; a command not known here is {@code other}. */
    static String commandTag(String command) {
        int space = command.indexOf(' ');
        String name = (space < 0 ? command : command.substring(0, space)).toLowerCase(Locale.ROOT);
        return RETRIED_COMMANDS.contains(name) ? name : "other";
    }

    @Override
    public void onScanPage(String address, int count, int keys) {
        pages.increment();
    }

    @Override
    public void onRetry(String command, String address, int attempt, Throwable cause) {
        retries.get(commandTag(command)).increment();
    }

    @Override
    public void onServerChange(String address) {
        serverChanges.increment();
    }

    @Override
    public void onListing(Path path, Duration duration, long keys, @Nullable Throwable error) {
        this.keys.get(path).increment(keys);
        (error == null ? successes : errors).get(path).record(duration);
        if (path == Path.KEYS) {
            keysCalls.increment();
        }
    }

    @Override
    public String toString() {
        return "MicrometerKeyScanListener";
    }
}
