package io.keyscan.spring;

import io.keyscan.KeyScanListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * Records what scanners do as Micrometer meters, in every registry it is bound to (Spring Boot binds each
 * {@link MeterBinder} bean to its {@code MeterRegistry}). Tags take a few fixed values only (the listing path, the
 * outcome, an exception's class, the command's name): never a pattern, a key or a server address, so that the number
 * of time series stays bounded however the application lists keys. Every meter is registered when bound, with its
 * tags for a success, so that a dashboard shows a zero (for instance no listing on the deprecated KEYS path) rather
 * than nothing; the error series appear at the first error. No meter name is a prefix of another. Each base unit is
 * the name's last word, so that Prometheus, which appends the unit, does not repeat it
 * ({@code keyscan_scan_pages_total}).
 *
 * <p>Events that arrive before the binder is bound are not recorded. How long listings take is not measured here but
 * by the {@code keyscan.listing} observation ({@link ObservedKeyScanner}), whose timer Spring Boot records.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type, base unit</th><th>tags</th><th>counts</th></tr>
 *   <tr><td>{@code keyscan.scan.pages}</td><td>counter, pages</td><td></td><td>SCAN calls answered, on every
 *       server</td></tr>
 *   <tr><td>{@code keyscan.listed.keys}</td><td>counter, keys</td><td>{@code path}, {@code outcome},
 *       {@code exception}</td><td>keys delivered by listings</td></tr>
 *   <tr><td>{@code keyscan.retries}</td><td>counter, retries</td><td>{@code command}</td><td>commands tried
 *       again</td></tr>
 *   <tr><td>{@code keyscan.server.changes}</td><td>counter, changes</td><td></td><td>rescans after a server was
 *       replaced</td></tr>
 *   <tr><td>{@code keyscan.keys.calls}</td><td>counter, calls</td><td>{@code outcome}, {@code exception}</td>
 *       <td>listings on the deprecated KEYS path</td></tr>
 * </table>
 */
final class MicrometerKeyScanListener implements KeyScanListener, MeterBinder {

    static final String PAGES = "keyscan.scan.pages";
    static final String LISTED_KEYS = "keyscan.listed.keys";
    static final String RETRIES = "keyscan.retries";
    static final String SERVER_CHANGES = "keyscan.server.changes";
    static final String KEYS_CALLS = "keyscan.keys.calls";

    /** Every name above: none may be a prefix of another, nor of the listing observation's meters. */
    static final List<String> NAMES = List.of(PAGES, LISTED_KEYS, RETRIES, SERVER_CHANGES, KEYS_CALLS);

    /** The {@code command} tag's values: the commands keyscan retries; anything else is {@code other}. */
    static final Set<String> RETRIED_COMMANDS = Set.of("scan", "keys", "exists", "type", "mget", "info", "other");

    static final String SUCCESS = "success";
    static final String ERROR = "error";
    /** The {@code exception} tag of a success. */
    static final String NONE = "none";

    /** The meters of each registry the binder was bound to. */
    private final List<Meters> bound = new CopyOnWriteArrayList<>();

    @Override
    public void bindTo(MeterRegistry registry) {
        bound.add(new Meters(registry));
    }

    /** One registry's meters, the success series registered up front. */
    private static final class Meters {

        private final MeterRegistry registry;
        private final Counter pages;
        private final Counter serverChanges;
        private final Counter keysCalls;
        private final Map<Path, Counter> listedKeys = new EnumMap<>(Path.class);
        private final Map<String, Counter> retries;

        Meters(MeterRegistry registry) {
            this.registry = registry;
            pages = Counter.builder(PAGES)
                    .description("SCAN calls answered (pages of keys), on every server")
                    .baseUnit("pages")
                    .register(registry);
            serverChanges = Counter.builder(SERVER_CHANGES)
                    .description("Servers rescanned from cursor 0 because they were replaced (restart, failover) "
                            + "during a listing")
                    .baseUnit("changes")
                    .register(registry);
            keysCalls = keysCalls(registry, Tags.of("outcome", SUCCESS, "exception", NONE));
            for (Path path : Path.values()) {
                listedKeys.put(path, listedKeys(registry, path, Tags.of("outcome", SUCCESS, "exception", NONE)));
            }
            Map<String, Counter> byCommand = new HashMap<>();
            for (String command : RETRIED_COMMANDS) {
                byCommand.put(command, Counter.builder(RETRIES)
                        .description("Redis commands that failed transiently and were tried again")
                        .baseUnit("retries")
                        .tag("command", command)
                        .register(registry));
            }
            retries = Map.copyOf(byCommand);
        }

        static Counter listedKeys(MeterRegistry registry, Path path, Tags outcome) {
            return Counter.builder(LISTED_KEYS)
                    .description("Keys delivered by listings (scan, keys, fetchKeys...), counted when the listing "
                            + "ends; a cancelled stream counts as a success")
                    .baseUnit("keys")
                    .tag("path", tag(path))
                    .tags(outcome)
                    .register(registry);
        }

        static Counter keysCalls(MeterRegistry registry, Tags outcome) {
            return Counter.builder(KEYS_CALLS)
                    .description("Listings on the deprecated KEYS path (keyscan.use-scan=false); each held the Redis "
                            + "server for its whole duration")
                    .baseUnit("calls")
                    .tags(outcome)
                    .register(registry);
        }

        void listing(Path path, long keys, @Nullable Throwable error) {
            if (error == null) {
                listedKeys.get(path).increment(keys);
                if (path == Path.KEYS) {
                    keysCalls.increment();
                }
                return;
            }
            // Registered at the first error of its kind; Micrometer hands back the same counter after that.
            Tags outcome = Tags.of("outcome", ERROR, "exception", exceptionTag(error));
            listedKeys(registry, path, outcome).increment(keys);
            if (path == Path.KEYS) {
                keysCalls(registry, outcome).increment();
            }
        }
    }

    static String tag(Path path) {
        return path.name().toLowerCase(Locale.ROOT);
    }

    /** The exception's simple class name, as Spring's own meters tag it; the class name for an anonymous class. */
    static String exceptionTag(Throwable error) {
        String simple = error.getClass().getSimpleName();
        return simple.isEmpty() ? error.getClass().getName() : simple;
    }

    /** {@code SCAN} is {@code scan}, {@code INFO server} is {@code info}; a command not known here is {@code other}. */
    static String commandTag(String command) {
        int space = command.indexOf(' ');
        String name = (space < 0 ? command : command.substring(0, space)).toLowerCase(Locale.ROOT);
        return RETRIED_COMMANDS.contains(name) ? name : "other";
    }

    @Override
    public void onScanPage(String address, int count, int keys) {
        for (Meters meters : bound) {
            meters.pages.increment();
        }
    }

    @Override
    public void onRetry(String command, String address, int attempt, Throwable cause) {
        String tag = commandTag(command);
        for (Meters meters : bound) {
            meters.retries.get(tag).increment();
        }
    }

    @Override
    public void onServerChange(String address) {
        for (Meters meters : bound) {
            meters.serverChanges.increment();
        }
    }

    @Override
    public void onListing(Path path, Duration duration, long keys, @Nullable Throwable error) {
        for (Meters meters : bound) {
            meters.listing(path, keys, error);
        }
    }

    @Override
    public String toString() {
        return "MicrometerKeyScanListener";
    }
}
