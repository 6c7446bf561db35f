package io.keyscan;

import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Lists the keys of a Redis deployment that match a glob pattern, with SCAN or, behind the
 * {@link KeyScanOptions#useScan()} flag, with KEYS.
 *
 * <p>Applications call {@link #fetchKeys(String)}: it follows the flag and returns the same sorted, distinct
 * list on both paths, so the flag can be flipped (or rolled back) without a change of behaviour.
 * {@link #scan(String)} streams keys with backpressure for listings too large to hold in memory.
 *
 * <p>Every publisher returned here is cold: nothing is sent to Redis before subscription, and each
 * subscription runs a fresh listing. Patterns follow Redis' glob syntax; build them from user input with
 * {@link Patterns#escape(String)}. A {@code null} pattern is rejected at call time with a
 * {@link NullPointerException}; a pattern that {@link Patterns#validate(String)} refuses, with an
 * {@link IllegalArgumentException}, before anything is sent.
 *
 * <p>Failures never turn into a shorter list: each command has its own timeout
 * ({@link KeyScanOptions#commandTimeout()}), transient failures are retried from the last cursor, and
 * whatever cannot be survived ends the publisher with a {@link KeyScanException}.
 *
 * <p>Implementations are thread-safe. Adapters create them, e.g. {@code LettuceKeyScanner.create(...)}.
 */
public interface KeyScanner extends AutoCloseable {

    /**
     * Streams the keys matching {@code pattern} with SCAN, one page of keys per SCAN call.
     *
     * <p>Demand drives the iteration: a SCAN call is sent only when the keys already received do not cover
     * what downstream has requested, so at most one page is read ahead of demand, and nothing is read while
     * nobody requests. Cancelling stops the iteration: no SCAN is sent after it, and a call in flight is
     * abandoned. Empty pages, which Redis may return many times in a row, do not end the stream; only the
     * server's final cursor does.
     *
     * <p>Keys come in the server's order, which is no order. Keys present for the whole iteration are all
     * emitted, also across retries and a restart or failover of the server, after which the server is scanned
     * again from its first cursor. With {@link KeyScanOptions#distinctScan()} on (the default) each key is emitted
     * at most once per subscription: SCAN's own duplicates (it returns a key twice when the table resizes
     * mid-iteration) are dropped, and so are keys seen again after a rescan; for that the subscription keeps a
     * 16-byte fingerprint of every key it emitted (about 32 MB per million keys). With it off, memory stays
     * constant and keys may repeat.
     *
     * <p>Keys are decoded as UTF-8. A key that is not valid UTF-8 cannot be represented as a {@link String}
     * without being changed (a replacement character would name a key that does not exist), so it ends the
     * stream with a {@link KeyScanException} naming the key's bytes; list such keyspaces with
     * {@link #scanBytes(String)}.
     *
     * @param pattern a Redis glob pattern, e.g. {@code "performance|*"}
     * @return a cold {@link Flux} of keys
     */
    Flux<String> scan(String pattern);

    /**
     * Lists the keys matching {@code pattern} with one KEYS call per server.
     *
     * <p>KEYS holds the single-threaded server for the whole call (about a second per million keys), which is
     * why it is deprecated here: the first use on each scanner logs a WARN line starting with
     * {@code [DEPRECATION]}. The list is in the server's order; use {@link #fetchKeys(String)} for a sorted,
     * distinct one.
     *
     * <p>The collected keys are decoded on {@link KeyScanOptions#resultScheduler()}
     * ({@link reactor.core.scheduler.Schedulers#parallel()} unless set), and the result is delivered from there:
     * never on the client's I/O thread (a Netty event loop with Lettuce). A listing whose keys would take more memory
     * than {@link KeyScanOptions#distinctMemoryLimit()} fails with a {@link KeyScanException} instead (KEYS replies
     * are counted as each server's reply arrives).
     *
     * @param pattern a Redis glob pattern
     * @return a cold {@link Mono} of the keys, in the server's order
     */
    Mono<List<String>> keys(String pattern);

    /**
     * Lists the keys matching {@code pattern} the way {@link KeyScanOptions#useScan()} says, sorted in natural
     * {@link String} order and without duplicates. Both paths return identical lists for the same data.
     *
     * <p>The collected keys are decoded, de-duplicated and sorted on {@link KeyScanOptions#resultScheduler()}
     * ({@link reactor.core.scheduler.Schedulers#parallel()} unless set), and the result is delivered from there:
     * never on the client's I/O thread (a Netty event loop with Lettuce) that the last page arrived on and that
     * every other Redis command of the application shares. A listing whose keys would take more memory than
     * {@link KeyScanOptions#distinctMemoryLimit()} fails at once with a {@link KeyScanException} instead.
     *
     * @param pattern a Redis glob pattern
     * @return a cold {@link Mono} of the sorted, distinct keys
     */
    Mono<List<String>> fetchKeys(String pattern);

    /**
     * {@link #scan(String)} without decoding: every key exactly as Redis stores it, whatever its bytes. Same
     * demand, cancellation, de-duplication and failure behaviour.
     *
     * @param pattern a Redis glob pattern, sent as UTF-8
     * @return a cold {@link Flux} of keys; each array is the caller's to keep
     */
    Flux<byte[]> scanBytes(String pattern);

    /**
     * {@link #fetchKeys(String)} without decoding: the keys exactly as Redis stores them, following
     * {@link KeyScanOptions#useScan()}, sorted in unsigned byte order (as {@code memcmp}) and distinct.
     *
     * <p>The collected keys are de-duplicated and sorted on {@link KeyScanOptions#resultScheduler()}
     * ({@link reactor.core.scheduler.Schedulers#parallel()} unless set), and the result is delivered from there:
     * never on the client's I/O thread (a Netty event loop with Lettuce). A listing whose keys would take more memory
     * than {@link KeyScanOptions#distinctMemoryLimit()} fails with a {@link KeyScanException} instead.
     *
     * @param pattern a Redis glob pattern, sent as UTF-8
     * @return a cold {@link Mono} of the sorted, distinct keys
     */
    Mono<List<byte[]>> fetchKeyBytes(String pattern);

    /**
     * {@link #scan(String)} limited to keys of one type: sent as SCAN's {@code TYPE} argument with every SCAN, the
     * first included, where the server takes it (Redis 6.0+, Valkey), so the server never looks at keys of other
     * types; checked with {@code TYPE} calls where it does not (a server that refuses the argument is asked again
     * without it, and the keys checked).
     *
     * @param pattern a Redis glob pattern
     * @param type the type; {@link KeyType#of(String)} turns a name into one, refusing unknown names
     * @return the matching keys of that type, as {@link #scan(String)} emits them
     */
    Flux<String> scan(String pattern, KeyType type);

    /**
     * {@link #scanBytes(String)} limited to keys of one type, as {@link #scan(String, KeyType)} limits them.
     *
     * @param pattern a Redis glob pattern
     * @param type the type
     * @return the matching keys of that type, byte-exact
     */
    Flux<byte[]> scanBytes(String pattern, KeyType type);

    /**
     * {@link #fetchKeys(String)} limited to keys of one type, on both paths (the KEYS path checks each key's type
     * with pipelined {@code TYPE} calls). Sorted and delivered on {@link KeyScanOptions#resultScheduler()}, as
     * {@link #fetchKeys(String)} is.
     *
     * @param pattern a Redis glob pattern
     * @param type the type
     * @return the matching keys of that type, sorted and distinct
     */
    Mono<List<String>> fetchKeys(String pattern, KeyType type);

    /**
     * The keys matching {@code pattern}, listed as {@link #scan(String)} lists them ({@code useScan} selecting
     * SCAN or KEYS), with their string values, read with {@code MGET} in batches of
     * {@value DefaultKeyScanner#VALUE_BATCH} keys, up to {@value DefaultKeyScanner#VALUE_CONCURRENCY} batches at
     * once (on a cluster, one MGET per hash slot). Keys that vanished between listing and reading, and keys of
     * other types (MGET answers nothing for them), are skipped, not returned with a {@code null} value. Follows
     * demand in batches: at most {@value DefaultKeyScanner#VALUE_CONCURRENCY} batches ahead. Values are decoded as
     * UTF-8; one that is not valid UTF-8 ends the stream with a {@link KeyScanException}.
     *
     * @param pattern a Redis glob pattern
     * @return the matching string keys with their values
     */
    Flux<KeyValue> scanValues(String pattern);

    /**
     * {@link #scanValues(String)} collected, sorted by key (natural {@link String} order), each key once. The keys
     * are collected and sorted on {@link KeyScanOptions#resultScheduler()} before their values are read, and the
     * result is delivered from there; keys and values count against {@link KeyScanOptions#distinctMemoryLimit()}.
     *
     * @param pattern a Redis glob pattern
     * @return the matching string keys with their values, sorted by key
     */
    Mono<List<KeyValue>> fetchValues(String pattern);

    /** {@return the options this scanner was built with} */
    KeyScanOptions options();

    /**
     * Releases what this scanner owns: a client it created from a URI. A scanner over a connection the
     * application passed in leaves that connection open.
     */
    @Override
    void close();
}
