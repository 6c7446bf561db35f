package io.keyscan.bench;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanStream;
import io.lettuce.core.api.reactive.RedisKeyReactiveCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One way of listing keys: each returns the full sorted, distinct {@code List<String>} of a pattern, so that every
 * path does the same work and the answers can be compared. The same paths run over one server or a Redis Cluster:
 * only the connection differs.
 */
abstract class ListingPath implements AutoCloseable {

    /** Every path's name, in report order: KEYS first, the reference. */
    static final List<String> NAMES = List.of("KEYS", "SCAN", "SCAN_AUTO", "LETTUCE_SCANSTREAM");

    private final String name;
    private final @Nullable Integer count;

    private ListingPath(String name, @Nullable Integer count) {
        this.name = name;
        this.count = count;
    }

    /** {@code KEYS}, {@code SCAN}, {@code SCAN_AUTO} or {@code LETTUCE_SCANSTREAM}: the CSV's {@code path}. */
    final String name() {
        return name;
    }

    /** The fixed COUNT, or {@code null} where the path does not fix one. */
    final @Nullable Integer count() {
        return count;
    }

    /** {@code SCAN 100}, {@code KEYS}... */
    final String label() {
        return count == null ? name : name + " " + count;
    }

    /** The command whose single calls are timed on the server: {@code keys} or {@code scan}. */
    String serverCommand() {
        return "scan";
    }

    /** Lists the keys matching {@code pattern}, sorted and distinct. */
    abstract List<String> fetch(String pattern);

    @Override
    public void close() {
    }

    /**
     * The paths of {@code names} ({@link #NAMES}), KEYS always and first (the reference), then SCAN at each fixed
     * COUNT, SCAN_AUTO and Lettuce's
     * {@code ScanStream}, all on one connection: keyscan's scanners come from {@code scanners} (built on that
     * connection), {@code ScanStream} runs on {@code reactive}, the same connection's reactive commands.
     */
    static List<ListingPath> all(Function<KeyScanOptions, KeyScanner> scanners,
            RedisKeyReactiveCommands<String, String> reactive, List<Integer> counts, List<String> names) {
        List<ListingPath> paths = new ArrayList<>();
        paths.add(keys(scanners));
        if (names.contains("SCAN")) {
            for (int count : counts) {
                paths.add(scan(scanners, count));
            }
        }
        if (names.contains("SCAN_AUTO")) {
            paths.add(scanAuto(scanners));
        }
        if (names.contains("LETTUCE_SCANSTREAM")) {
            paths.add(lettuceScanStream(reactive));
        }
        return paths;
    }

    /**
     * keyscan's {@code fetchKeys} with {@code useScan = false}: one KEYS call (on a cluster, one on every master,
     * replies merged).
     */
    static ListingPath keys(Function<KeyScanOptions, KeyScanner> scanners) {
        return new Keyscan("KEYS", null, scanners.apply(options().useScan(false).build())) {
            @Override
            String serverCommand() {
                return "keys";
            }
        };
    }

    /** keyscan's {@code fetchKeys} with {@code useScan = true}, auto-tuning off, {@code scanCount(count)}. */
    static ListingPath scan(Function<KeyScanOptions, KeyScanner> scanners, int count) {
        return new Keyscan("SCAN", count, scanners.apply(
                options().useScan(true).scanCountAutoTune(false).scanCount(count).build()));
    }

    /**
     * keyscan's {@code fetchKeys} with {@code useScan = true} and its default, auto-tuned COUNT (on a cluster,
     * every master at once).
     */
    static ListingPath scanAuto(Function<KeyScanOptions, KeyScanner> scanners) {
        return new Keyscan("SCAN_AUTO", null, scanners.apply(options().useScan(true).build()));
    }

    /** The benchmark's longest wait for one command: a KEYS of a million keys is not cut short on a loaded machine. */
    static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);

    /**
     * keyscan's defaults but the command timeout: the default 15 s is meant for applications, and a KEYS reply of a
     * million keys (about 150 MB) through an added round trip on a busy 2-core machine has taken longer. Everything
     * the paths measure is left at its default.
     */
    private static KeyScanOptions.Builder options() {
        return KeyScanOptions.builder().commandTimeout(COMMAND_TIMEOUT);
    }

    /**
     * Lettuce's own {@code ScanStream.scan(connection.reactive(), ScanArgs.Builder.matches(pattern))} at its
     * default (no COUNT sent: Redis' default of 10), collected, sorted and de-duplicated: the peer reference. On a
     * cluster connection Lettuce's cluster SCAN walks the masters one after the other.
     */
    static ListingPath lettuceScanStream(RedisKeyReactiveCommands<String, String> reactive) {
        return new ListingPath("LETTUCE_SCANSTREAM", null) {
            @Override
            List<String> fetch(String pattern) {
                List<String> keys = ScanStream.scan(reactive, ScanArgs.Builder.matches(pattern)).collectList().block();
                return sortedDistinct(keys == null ? List.of() : keys);
            }
        };
    }

    /** Sorts in natural {@link String} order, as {@code fetchKeys} does, and drops duplicates. */
    static List<String> sortedDistinct(List<String> keys) {
        List<String> sorted = new ArrayList<>(keys);
        Collections.sort(sorted);
        List<String> distinct = new ArrayList<>(sorted.size());
        String previous = null;
        for (String key : sorted) {
            if (!key.equals(previous)) {
                distinct.add(key);
            }
            previous = key;
        }
        return distinct;
    }

    /** A path through keyscan's public API: {@link KeyScanner#fetchKeys(String)}. */
    private static class Keyscan extends ListingPath {
        private final KeyScanner scanner;

        Keyscan(String name, @Nullable Integer count, KeyScanner scanner) {
            super(name, count);
            this.scanner = scanner;
        }

        @Override
        List<String> fetch(String pattern) {
            List<String> keys = scanner.fetchKeys(pattern).block();
            return keys == null ? List.of() : keys;
        }

        @Override
        public void close() {
            scanner.close();
        }
    }
}
