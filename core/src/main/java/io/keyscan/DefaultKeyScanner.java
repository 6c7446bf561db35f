package io.keyscan;

import io.keyscan.CommandRunner.Call;
import io.keyscan.spi.RedisKeyspace;
import io.keyscan.spi.ScanNode;
import io.keyscan.spi.ServerInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The engine behind every adapter: routes, walks cursors with demand, retries, and orders the result. */
final class DefaultKeyScanner implements KeyScanner {

    private static final Logger log = LoggerFactory.getLogger(DefaultKeyScanner.class);

    /**
     * Cursor ranges per server that auto-tuning uses where the server allows them and the round trip is short
     * (see {@link #autoParallelism}).
     */
    static final int AUTO_PARALLELISM = 4;

    /** The most cursor ranges per server auto-tuning uses: over a long round trip. */
    static final int AUTO_PARALLELISM_MAX = 16;

    /** Keys per MGET of {@link #scanValues}. */
    static final int VALUE_BATCH = 500;

    /** MGET batches of {@link #scanValues} in flight at once. */
    static final int VALUE_CONCURRENCY = 4;

    /**
     * Pages a collecting walk of a cluster node waits at most for its replies to show whether its cursor carries the
     * slot before it decides on slot ranges: 17 distinct slots arrive within a few pages unless the pattern matches
     * few keys, and then there is little to walk in parallel.
     */
    static final int SLOT_LAYOUT_PAGES = 32;

    /** What a collecting walk asks of each range at a time: it wants everything anyway. */
    private static final int COLLECT_PREFETCH = 1024;

    private final RedisKeyspace keyspace;
    private final KeyScanOptions options;
    private final CommandRunner runner;
    private final AtomicBoolean keysDeprecationLogged = new AtomicBoolean();
    private final AtomicBoolean parallelismRefusalLogged = new AtomicBoolean();
    private final SlotCursorProcesses slotCursorProcesses = new SlotCursorProcesses();
    private final LongSupplier nanoClock;
    private final RoundTrips roundTrips = new RoundTrips();
    private final ScannerMemory memory;

    DefaultKeyScanner(RedisKeyspace keyspace, KeyScanOptions options) {
        this(keyspace, options, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param random the jitter of retry backoffs, in [0, 1): fixed in tests */
    DefaultKeyScanner(RedisKeyspace keyspace, KeyScanOptions options, DoubleSupplier random) {
        this(keyspace, options, random, System::nanoTime);
    }

    /**
     * @param random the jitter of retry backoffs, in [0, 1): fixed in tests
     * @param nanoClock what round trips are timed with: {@link System#nanoTime()}, or a clock tests control
     */
    DefaultKeyScanner(RedisKeyspace keyspace, KeyScanOptions options, DoubleSupplier random,
            LongSupplier nanoClock) {
        this(keyspace, options, random, nanoClock, ScannerMemory.forOptions(options));
    }

    /** @param memory what the scanner's listings together may hold: {@link ScannerMemory#forOptions}, or a test's */
    DefaultKeyScanner(RedisKeyspace keyspace, KeyScanOptions options, DoubleSupplier random,
            LongSupplier nanoClock, ScannerMemory memory) {
        this.keyspace = keyspace;
        this.options = options;
        this.runner = new CommandRunner(keyspace, options, random);
        this.nanoClock = nanoClock;
        this.memory = memory;
    }

    @Override
    public Flux<String> scan(String pattern) {
        return scan(new Query(pattern, null));
    }

    @Override
    public Flux<String> scan(String pattern, KeyType type) {
        return scan(new Query(pattern, Objects.requireNonNull(type, "type must not be null")));
    }

    private Flux<String> scan(Query query) {
        return observed(query.pathOf(true), scanRaw(query).map(key -> KeyCoding.decode(key, query.pattern)));
    }

    @Override
    public Flux<byte[]> scanBytes(String pattern) {
        Query query = new Query(pattern, null);
        return observed(query.pathOf(true), scanRaw(query));
    }

    @Override
    public Flux<byte[]> scanBytes(String pattern, KeyType type) {
        Query query = new Query(pattern, Objects.requireNonNull(type, "type must not be null"));
        return observed(query.pathOf(true), scanRaw(query));
    }

    @Override
    public Mono<List<byte[]>> fetchKeyBytes(String pattern) {
        Query query = new Query(pattern, null);
        return observedList(query.pathOf(options.useScan()), collected(query,
                keys -> KeyCoding.sortedDistinct(keys, KeyCoding.BYTE_ORDER)));
    }

    @Override
    public Mono<List<String>> keys(String pattern) {
        Query query = new Query(pattern, null);
        return observedList(KeyScanListener.Path.KEYS, Mono.using(() -> newMemory(query),
                memory -> collect(keysRaw(query), memory).publishOn(options.resultScheduler())
                        .map(keys -> KeyCoding.decodeAll(keys, pattern)),
                ListingMemory::release));
    }

    @Override
    public Mono<List<String>> fetchKeys(String pattern) {
        return fetchKeys(new Query(pattern, null));
    }

    @Override
    public Mono<List<String>> fetchKeys(String pattern, KeyType type) {
        return fetchKeys(new Query(pattern, Objects.requireNonNull(type, "type must not be null")));
    }

    private Mono<List<String>> fetchKeys(Query query) {
        return observedList(query.pathOf(options.useScan()), collected(query, keys -> KeyCoding.sortedDistinct(
                KeyCoding.decodeAll(keys, query.pattern), KeyCoding.STRING_ORDER)));
    }

    /**
     * Every matching key, collected within the listing's memory limit and handed to the result scheduler: the
     * caller decodes and sorts there, never on the client's I/O thread that delivered the last page.
     */
    private <T> Mono<T> collected(Query query, Function<List<byte[]>, T> finish) {
        // the listing's memory is counted, against its limit and the scanner's, until its result is delivered
        return Mono.using(() -> newMemory(query), listing -> collected(query, listing).map(finish),
                ListingMemory::release);
    }

    private Mono<List<byte[]>> collected(Query query, ListingMemory memory) {
        return rawListing(query, memory).publishOn(options.resultScheduler());
    }

    private ListingMemory newMemory(Query query) {
        return new ListingMemory(query.pattern, options.distinctMemoryLimit(), memory);
    }

    @Override
    public Flux<KeyValue> scanValues(String pattern) {
        Query query = new Query(pattern, null);
        Flux<byte[]> keys = options.useScan() ? scanRaw(query)
                : collected(query, list -> KeyCoding.sortedDistinct(list, KeyCoding.BYTE_ORDER))
                        .flatMapIterable(list -> list);
        return observed(query.pathOf(options.useScan()), keys.buffer(VALUE_BATCH)
                .flatMapSequential(batch -> values(query, batch, false), VALUE_CONCURRENCY, 1));
    }

    @Override
    public Mono<List<KeyValue>> fetchValues(String pattern) {
        Query query = new Query(pattern, null);
        return observedList(query.pathOf(options.useScan()), Mono.using(() -> newMemory(query), memory -> {
            // One limit for the listing: its keys are counted while they are collected, their values as they arrive.
            Flux<byte[]> sortedKeys = collected(query, memory)
                    .flatMapIterable(keys -> KeyCoding.sortedDistinct(KeyCoding.decodeAll(keys, pattern),
                            KeyCoding.STRING_ORDER))
                    .map(key -> key.getBytes(StandardCharsets.UTF_8));
            // Each MGET reply is decoded on the result scheduler too, not on the I/O thread it arrived on.
            return sortedKeys.buffer(VALUE_BATCH)
                    .flatMapSequential(batch -> values(query, batch, true), VALUE_CONCURRENCY, 1)
                    .doOnNext(pair -> memory.addValue(pair.value().length()))
                    // already on the result scheduler: every batch is, and so is an empty key list
                    .collectList();
        }, ListingMemory::release));
    }

    /**
     * One MGET batch: the keys that still hold a string, with their values, decoded where the reply arrived or, with
     * {@code offIo}, on the result scheduler.
     */
    private Flux<KeyValue> values(Query query, List<byte[]> keys, boolean offIo) {
        Mono<CommandRunner.Attempt<List<byte @Nullable []>>> reply = runner.run(() -> keyspace.values(keys),
                new Call("MGET", query.pattern, () -> "the keyspace", null));
        return (offIo ? reply.publishOn(options.resultScheduler()) : reply)
                .flatMapIterable(attempt -> {
                    List<KeyValue> found = new ArrayList<>(keys.size());
                    for (int i = 0; i < keys.size(); i++) {
                        byte[] value = attempt.value().get(i);
                        if (value != null) {
                            String key = KeyCoding.decode(keys.get(i), query.pattern);
                            found.add(KeyValue.of(key, KeyCoding.decodeValue(value, key, query.pattern)));
                        }
                    }
                    return found;
                });
    }

    @Override
    public KeyScanOptions options() {
        return options;
    }

    @Override
    public void close() {
        keyspace.close();
    }

    /** A validated pattern, its bytes, its class, the hash tag it fixes if any, and the type asked for. */
    private static final class Query {
        final String pattern;
        final byte[] match;
        final QueryClass queryClass;
        final byte @Nullable [] hashTag;
        final @Nullable KeyType type;

        Query(String pattern, @Nullable KeyType type) {
            this.match = Patterns.encode(pattern);
            this.pattern = pattern;
            this.queryClass = QueryClass.of(pattern);
            String tag = HashTag.of(pattern);
            this.hashTag = tag == null ? null : tag.getBytes(StandardCharsets.UTF_8);
            this.type = type;
        }

        KeyScanListener.Path pathOf(boolean scan) {
            return queryClass == QueryClass.LITERAL ? KeyScanListener.Path.EXISTS
                    : scan ? KeyScanListener.Path.SCAN : KeyScanListener.Path.KEYS;
        }
    }

    /** {@code flux}, reported to the listener when it ends. */
    private <T> Flux<T> observed(KeyScanListener.Path path, Flux<T> flux) {
        KeyScanListener listener = options.listener();
        if (listener == KeyScanOptions.NO_LISTENER) {
            return flux;
        }
        return Flux.defer(() -> {
            long start = System.nanoTime();
            long[] count = {0};
            // One report per subscription, on whichever end comes first: completion, error or cancellation.
            AtomicBoolean reported = new AtomicBoolean();
            return flux.doOnNext(item -> count[0]++)
                    .doOnError(error -> {
                        if (reported.compareAndSet(false, true)) {
                            notifyListing(listener, path, start, count[0], error);
                        }
                    })
                    .doFinally(signal -> {
                        if (reported.compareAndSet(false, true)) {
                            notifyListing(listener, path, start, count[0], null);
                        }
                    });
        });
    }

    private <T> Mono<List<T>> observedList(KeyScanListener.Path path, Mono<List<T>> list) {
        KeyScanListener listener = options.listener();
        if (listener == KeyScanOptions.NO_LISTENER) {
            return list;
        }
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return list.doOnNext(items -> notifyListing(listener, path, start, items.size(), null))
                    .doOnError(error -> notifyListing(listener, path, start, 0, error));
        });
    }

    private static void notifyListing(KeyScanListener listener, KeyScanListener.Path path, long start, long keys,
            @Nullable Throwable error) {
        try {
            listener.onListing(path, Duration.ofNanos(System.nanoTime() - start), keys, error);
        } catch (RuntimeException e) {
            log.warn("KeyScanListener.onListing failed; ignored", e);
        }
    }

    /** The stream of {@code scan}: one cursor per server, following demand; each key once if {@code distinctScan}. */
    private Flux<byte[]> scanRaw(Query query) {
        if (query.queryClass == QueryClass.LITERAL) {
            return exists(query).flatMapIterable(keys -> keys);
        }
        // One page in flight per node at most: prefetch 1 asks each node for one key, i.e. one page.
        Flux<byte[]> walk = inRounds(query, (node, onlySlots) -> demandWalk(node, query, onlySlots), 1);
        if (!options.distinctScan()) {
            return walk;
        }
        return Flux.using(() -> new KeyFingerprints(query.pattern, options.distinctMemoryLimit(), memory),
                fingerprints -> walk.filter(fingerprints::add), KeyFingerprints::release);
    }

    /**
     * Every matching key, undecoded and unsorted, by the command {@code useScan} selects; a listing whose keys
     * would pass the memory limit fails as soon as it does (cancelling its walk, so no further SCAN is sent).
     */
    private Mono<List<byte[]>> rawListing(Query query, ListingMemory memory) {
        if (query.queryClass == QueryClass.LITERAL) {
            return exists(query);
        }
        return collect(options.useScan()
                ? inRounds(query, (node, onlySlots) -> collectingWalk(node, query, onlySlots), COLLECT_PREFETCH)
                : keysRaw(query), memory);
    }

    /** {@code keys} in a list, each counted against {@code memory} as it arrives. */
    private static Mono<List<byte[]>> collect(Flux<byte[]> keys, ListingMemory memory) {
        return keys.doOnNext(memory::addKey).collect(ArrayList<byte[]>::new, List::add);
    }

    /** Every node that can hold the query's keys, listed with {@code perNode}, in rounds (see {@link TopologyRounds}). */
    private Flux<byte[]> inRounds(Query query, TopologyRounds.NodeListing perNode, int prefetch) {
        return new TopologyRounds(query.pattern, () -> responsibleNodes(query),
                node -> FollowedShard.of(node, keyspace::nodes, options.commandTimeout()), options.nodeConcurrency())
                .list(perNode, prefetch);
    }

    /** The nodes that can hold the query's keys: the one serving its hash tag, if it fixes one; else all. */
    private Mono<List<ScanNode>> responsibleNodes(Query query) {
        if (query.hashTag != null) {
            byte[] tag = query.hashTag;
            return runner.run(() -> keyspace.nodeForKey(tag), topologyCall(query.pattern))
                    .map(attempt -> List.of(attempt.value()));
        }
        return nodes(query.pattern);
    }

    /**
     * A pattern that names one key: one EXISTS on the server holding it, whichever path is selected (and its
     * TYPE, if a type is asked for).
     */
    private Mono<List<byte[]>> exists(Query query) {
        byte[] key = Patterns.literalKey(query.pattern).getBytes(StandardCharsets.UTF_8);
        // Finding the node is a command on a cluster (and may meet the node that just failed): run like any.
        return runner.run(() -> keyspace.nodeForKey(key), topologyCall(query.pattern))
                .flatMap(located -> runner.run(() -> located.value().exists(key),
                        new Call("EXISTS", query.pattern, located.value()::address, null))
                .flatMap(attempt -> {
                    List<byte[]> found = new ArrayList<>(1);
                    if (attempt.value()) {
                        found.add(key);
                    }
                    return ofType(query, located.value(), found);
                }));
    }

    /** {@code keys} of the query's type, checked with TYPE calls; all of them when no type is asked for. */
    Mono<List<byte[]>> ofType(Query query, ScanNode node, List<byte[]> keys) {
        return TypeFilter.ofType(runner, query.pattern, query.type, node, keys);
    }

    private NodeIteration iteration(ScanNode node, Query query) {
        return new NodeIteration(node, query.pattern, query.match, query.type, runner, CountTuner.forQuery(options,
                query.queryClass), options.listener(), slotCursorProcesses, nanoClock, roundTrips);
    }

    /**
     * One cursor over one server, a page at a time as demand needs it; a fresh iteration per subscription. With
     * {@code onlySlots}, the slots a cluster node gained during the listing, one slot range after the other (the
     * whole node if its cursor does not carry the slot).
     */
    private Flux<byte[]> demandWalk(ScanNode node, Query query, @Nullable BitSet onlySlots) {
        if (onlySlots == null) {
            return NodeKeyWalk.of(() -> iteration(node, query).fullRange());
        }
        return Flux.defer(() -> {
            NodeIteration iteration = iteration(node, query);
            List<NodeIteration.Range> ranges = iteration.slotRanges(onlySlots);
            return oneAfterTheOther(iteration, ranges);
        });
    }

    /**
     * All of one server's keys as fast as it can give them: after the first page, which tells what the server
     * is and how large its keyspace is, the rest of the cursor space is cut into ranges walked at once, so that
     * round trips overlap (see {@link NodeIteration}). Ranges that finished before a server change are walked
     * again.
     */
    private Flux<byte[]> collectingWalk(ScanNode node, Query query, @Nullable BitSet onlySlots) {
        return Flux.defer(() -> {
            NodeIteration iteration = iteration(node, query);
            List<NodeIteration.Range> slotRanges = onlySlots == null ? null : iteration.slotRanges(onlySlots);
            NodeIteration.Range all = slotRanges == null ? iteration.fullRange() : slotRanges.get(0);
            // the first page tells what the server is; on a cluster node, the pages until its replies show whether
            // its cursor carries the slot (a few pages: 17 distinct slots), so that slot ranges can be cut
            boolean rangesWanted = slotRanges == null && query.hashTag == null
                    && wantedParallelism(RoundTrips.NONE) > 1;
            int[] pages = {0};
            Flux<byte[]> firstPages = Flux.defer(all::nextPage)
                    .repeat(() -> !all.finished() && (iteration.server() == null
                            || (rangesWanted && ++pages[0] < SLOT_LAYOUT_PAGES && iteration.slotLayoutPending())))
                    .flatMapIterable(keys -> keys);
            return firstPages.concatWith(Flux.defer(() -> {
                if (slotRanges != null) {
                    // the gained slots, each range at once; or, on a node not known to keep a table per slot, the
                    // first range, which became the whole node
                    List<NodeIteration.Range> left = new ArrayList<>();
                    for (NodeIteration.Range range : slotRanges) {
                        if (iteration.toWalk(range)) {
                            left.add(range);
                        }
                    }
                    return left.isEmpty() ? Flux.empty() : walkRanges(iteration, left);
                }
                List<NodeIteration.Range> ranges = iteration.split(all, query.hashTag != null ? 1
                        : parallelism(iteration, node));
                if (ranges.size() > 1 && log.isDebugEnabled()) {
                    long roundTrip = iteration.roundTripNanos();
                    log.debug("Listing {} on {} ({}) with {} cursor ranges{}", Patterns.abbreviate(query.pattern),
                            node.address(), iteration.server(), ranges.size(), roundTrip < 0 ? ""
                                    : String.format(Locale.ROOT, " (round trip %.3f ms)", roundTrip / 1e6));
                }
                return walkRanges(iteration, ranges);
            }));
        });
    }

    /** {@code ranges} one after the other, each if still to walk when its turn comes; then what a restart left. */
    private Flux<byte[]> oneAfterTheOther(NodeIteration iteration, List<NodeIteration.Range> ranges) {
        return Flux.concat(Flux.fromIterable(ranges).map(range -> Flux.defer(() -> iteration.toWalk(range)
                        ? NodeKeyWalk.of(() -> range) : Flux.<byte[]>empty())))
                .concatWith(Flux.defer(() -> {
                    List<NodeIteration.Range> stale = iteration.staleRanges(ranges);
                    return stale.isEmpty() ? Flux.empty() : oneAfterTheOther(iteration, stale);
                }));
    }

    private Flux<byte[]> walkRanges(NodeIteration iteration, List<NodeIteration.Range> ranges) {
        Flux<byte[]> walks = ranges.size() == 1 ? NodeKeyWalk.of(() -> ranges.get(0))
                : Flux.merge(Flux.fromIterable(ranges).map(range -> NodeKeyWalk.of(() -> range)), ranges.size(),
                        COLLECT_PREFETCH);
        return walks.concatWith(Flux.defer(() -> {
            List<NodeIteration.Range> stale = iteration.staleRanges(ranges);
            return stale.isEmpty() ? Flux.empty() : walkRanges(iteration, stale);
        }));
    }

    /**
     * The cursor ranges auto-tuning walks one server with, given the shortest round trip the scanner has seen to
     * it ({@link RoundTrips}).
     *
     * <p>The ranges' calls share the rotation's server time T, three quarters of {@code budget} (each call aims at
     * T over the number of ranges: {@link AdaptiveCountTuner}), so that another client's command never waits behind
     * more than T. Each range sends its next call a round trip after its last one ran: the server stays busy as
     * long as one call's share plus the round trip fits in the rotation. So the fewest ranges, a power of two from
     * {@value #AUTO_PARALLELISM} to {@value #AUTO_PARALLELISM_MAX}, with T / ranges + round trip at most half of T
     * (the other half for the client's own work on each page: decoding, de-duplicating, the event loop);
     * {@value #AUTO_PARALLELISM_MAX} when none is enough, where the network, not the server, bounds the listing.
     * With the default budget of 2 ms: 4 ranges up to a 0.375 ms round trip, 8 up to 0.56 ms, else 16. (Measured
     * over a delaying proxy at 1,000,000 keys, with three quarters of T: 8 ranges at an added 0.5 ms took 1.4-2.2
     * times the loopback time, 16 at an added 1 ms 1.0-1.3 times: docs/tuning.md.)
     *
     * @param roundTripNanos the round trip seen, in nanoseconds; negative when none was measured
     */
    static int autoParallelism(long roundTripNanos, Duration budget) {
        if (roundTripNanos < 0) {
            return AUTO_PARALLELISM;
        }
        long rotationNanos = budget.toNanos() * 3 / 4;
        for (int ranges = AUTO_PARALLELISM; ranges < AUTO_PARALLELISM_MAX; ranges *= 2) {
            if (rotationNanos / ranges + roundTripNanos <= rotationNanos / 2) {
                return ranges;
            }
        }
        return AUTO_PARALLELISM_MAX;
    }

    /**
     * The ranges per server the options ask for: the option, or auto-tuning's choice for {@code roundTripNanos}
     * ({@link RoundTrips#NONE} before any is known: its fewest), or 1.
     */
    private int wantedParallelism(long roundTripNanos) {
        int asked = options.scanParallelism();
        return asked != 0 ? asked
                : options.scanCountAutoTune() ? autoParallelism(roundTripNanos, options.scanCallBudget()) : 1;
    }

    /**
     * How many cursor ranges to walk on the iteration's server: the option, or auto-tuning's choice for the round
     * trip the iteration sees ({@link #autoParallelism}); 1 where unsafe. Ranges of the reversed cursor on a
     * standalone server; slot ranges on a cluster node whose cursor is shown to carry the slot.
     */
    private int parallelism(NodeIteration iteration, ScanNode node) {
        ServerInfo server = iteration.server();
        int asked = options.scanParallelism();
        int wanted = wantedParallelism(iteration.roundTripNanos());
        if (wanted <= 1 || NodeIteration.allowsCursorRanges(server) || iteration.slotRangesHold()) {
            return wanted;
        }
        if (asked > 1 && parallelismRefusalLogged.compareAndSet(false, true)) {
            log.info("scanParallelism={} is not used on {} ({}): its SCAN cursor is not known to allow cursor "
                    + "ranges, so one cursor walks it", asked, node.address(), server);
        }
        return 1;
    }

    /**
     * The servers to visit, asked with a timeout and retries like any command (on a cluster it is one, and the
     * node it goes to may be the one that just failed); failing that, a {@link KeyScanException}.
     */
    private Mono<List<ScanNode>> nodes(String pattern) {
        return runner.run(keyspace::nodes, topologyCall(pattern)).map(attempt -> attempt.value());
    }

    private static Call topologyCall(String pattern) {
        return new Call("Looking up the servers", pattern, () -> "the keyspace", null);
    }

    /** Every node's KEYS reply, key by key. */
    private Flux<byte[]> keysRaw(Query query) {
        return Flux.defer(() -> {
            if (keysDeprecationLogged.compareAndSet(false, true)) {
                log.warn("[DEPRECATION] keyscan listed keys with KEYS, which blocks the Redis server for the whole "
                        + "call (about 1 s per million keys). Set useScan = true (KEYSCAN_USE_SCAN=true) to list "
                        + "them with SCAN instead; the result is the same. Logged once per scanner.");
            }
            // KEYS lists a whole node: a node that gained slots is listed in full again
            TopologyRounds.NodeListing keys = (node, onlySlots) -> runner.run(() -> node.keys(query.match),
                            Call.keys(query.pattern, node::address))
                    .flatMapMany(attempt -> query.type == null ? Flux.fromIterable(attempt.value())
                            : Flux.fromIterable(attempt.value()).buffer(TypeFilter.BATCH)
                                    .concatMap(batch -> ofType(query, node, batch))
                                    .flatMapIterable(batch -> batch));
            return inRounds(query, keys, COLLECT_PREFETCH);
        });
    }
}
