package io.keyscan.bench;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.lettuce.LettuceKeyScanner;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanStream;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One way of listing keys: each returns the full sorted, distinct {@code List<String>} of a pattern, so that every
 * path does the same work and the answers can be compared.
 */
abstract class ListingPath implements AutoCloseable {

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

    /** keyscan's {@code fetchKeys} with {@code useScan = false}: one KEYS call. */
    static ListingPath keys(StatefulRedisConnection<String, String> connection) {
        return new Keyscan("KEYS", null, connection, KeyScanOptions.builder().useScan(false).build()) {
            @Override
            String serverCommand() {
                return "keys";
            }
        };
    }

    /** keyscan's {@code fetchKeys} with {@code useScan = true}, auto-tuning off, {@code scanCount(count)}. */
    static ListingPath scan(StatefulRedisConnection<String, String> connection, int count) {
        return new Keyscan("SCAN", count, connection,
                KeyScanOptions.builder().useScan(true).scanCountAutoTune(false).scanCount(count).build());
    }

    /** keyscan's {@code fetchKeys} with {@code useScan = true} and its default, auto-tuned COUNT. */
    static ListingPath scanAuto(StatefulRedisConnection<String, String> connection) {
        return new Keyscan("SCAN_AUTO", null, connection, KeyScanOptions.builder().useScan(true).build());
    }

    /**
     * Lettuce's own {@code ScanStream.scan(connection.reactive(), ScanArgs.Builder.matches(pattern))} at its
     * default (no COUNT sent: Redis' default of 10), collected, sorted and de-duplicated: the peer reference.
     */
    static ListingPath lettuceScanStream(StatefulRedisConnection<String, String> connection) {
        return new ListingPath("LETTUCE_SCANSTREAM", null) {
            @Override
            List<String> fetch(String pattern) {
                List<String> keys = ScanStream.scan(connection.reactive(), ScanArgs.Builder.matches(pattern))
                        .collectList().block();
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

        Keyscan(String name, @Nullable Integer count, StatefulRedisConnection<String, String> connection,
                KeyScanOptions options) {
            super(name, count);
            this.scanner = LettuceKeyScanner.create(connection, options);
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
