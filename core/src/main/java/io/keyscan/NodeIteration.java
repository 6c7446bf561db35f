package io.keyscan;

import io.keyscan.CommandRunner.Attempt;
import io.keyscan.CommandRunner.Call;
import io.keyscan.spi.ScanNode;
import io.keyscan.spi.ScanPage;
import io.keyscan.spi.ScanRequest;
import io.keyscan.spi.ServerInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * One listing of one server: the server process its cursors belong to, the COUNT tuner, and the cursor ranges
 * being walked.
 *
 * <p><b>Server identity.</b> A cursor means something only to the process that issued it (each process seeds its
 * hash function at start). So the iteration records the server's {@code run_id} with its first page (sent in the
 * same round trip as the first SCAN), and checks it again whenever a page needed a retry or arrived after the
 * connection was established again, which includes a SCAN that the client replayed to a new process after
 * reconnecting. A changed {@code run_id} starts a new generation: every range, finished or not, is walked again
 * from its start on the new process. Keys are then seen twice, never lost.
 *
 * <p><b>Cursor ranges.</b> SCAN's cursor counts with its bits reversed ({@code dict.c dictScan}), so
 * {@code Long.reverse(cursor)} only grows during an iteration, across table resizes too. The reversed space
 * {@code [0, 2^64)} can therefore be cut at multiples of {@code 2^64 / k} (valid cursors for any table of at
 * least {@code k} buckets) and each part walked by its own cursor, from {@code reverse(start)} until the
 * reversed cursor reaches the part's end: the union covers every bucket, as one walk would. This holds where the
 * cursor is Redis' plain dictionary cursor (standalone mode); cluster mode (7.4+) puts the slot in the low bits
 * and other servers may differ, so the caller splits only where {@link #allowsCursorRanges} says so.
 *
 * <p>Thread-safe: ranges of one iteration run concurrently; each range runs one page at a time.
 */
final class NodeIteration {

    private static final Logger log = LoggerFactory.getLogger(NodeIteration.class);

    /** More server changes than this in one listing end it with an error instead of looping. */
    static final int MAX_RESTARTS = 5;

    private final ScanNode node;
    private final String pattern;
    private final byte[] match;
    private final @Nullable KeyType type;
    private final CommandRunner runner;
    private final CountTuner tuner;
    private final KeyScanListener listener;
    private final ScanTimeSampler sampler;


    // Guarded by this.
    private @Nullable ServerInfo server;
    /** The server failed a SCAN that carried the TYPE argument: type filtering is done with TYPE calls. */
    private boolean typeArgumentRefused;
    private long trustedEpoch;
    private int generation;
    private int restarts;

    NodeIteration(ScanNode node, String pattern, byte[] match, @Nullable KeyType type, CommandRunner runner,
            CountTuner tuner, KeyScanListener listener) {
        this.node = node;
        this.pattern = pattern;
        this.match = match;
        this.type = type;
        this.runner = runner;
        this.tuner = tuner;
        this.listener = listener;
        this.sampler = new ScanTimeSampler(node, tuner);
    }

    /** The whole cursor space, starting at cursor 0. */
    Range fullRange() {
        return new Range(0, 0, currentGeneration());
    }

    /** The server the current cursors belong to; {@code null} before the first page. */
    synchronized @Nullable ServerInfo server() {
        return server;
    }

    /** Whether the cursor of {@code server} may be cut into ranges: Redis in standalone mode. */
    static boolean allowsCursorRanges(@Nullable ServerInfo server) {
        return server != null && server.product().equals("redis") && server.mode().equals("standalone");
    }

    /**
     * Cuts what is left of {@code first} (after its first page) into {@code parts} ranges, rounded down to a
     * power of two: {@code first} keeps the first part and goes on from its cursor; the others start at their
     * boundaries. Only when the first part is less than a quarter done, i.e. the keyspace is worth it;
     * otherwise just {@code first}.
     */
    synchronized List<Range> split(Range first, int parts) {
        int k = Integer.highestOneBit(Math.max(1, parts));
        if (k < 2 || first.finished) {
            return List.of(first);
        }
        long width = 1L << (64 - Integer.numberOfTrailingZeros(k));
        long position = Long.reverse(Long.parseUnsignedLong(first.cursor));
        if (Long.compareUnsigned(position, width >>> 2) >= 0) {
            return List.of(first);
        }
        first.end = width;
        tuner.cursors(k);
        List<Range> ranges = new ArrayList<>(k);
        ranges.add(first);
        for (int i = 1; i < k; i++) {
            ranges.add(new Range(i * width, i == k - 1 ? 0 : (i + 1) * width, generation));
        }
        return ranges;
    }

    /**
     * The ranges of {@code ranges} that finished in an earlier generation, i.e. on a server process that has
     * since been replaced, each reset to walk again from its start.
     */
    synchronized List<Range> staleRanges(List<Range> ranges) {
        List<Range> stale = new ArrayList<>();
        for (Range range : ranges) {
            if (range.generation != generation) {
                range.restartAt(generation);
                stale.add(range);
            }
        }
        return stale;
    }

    private void notifyServerChange() {
        try {
            listener.onServerChange(node.address());
        } catch (RuntimeException e) {
            log.warn("KeyScanListener.onServerChange failed; ignored", e);
        }
    }

    private synchronized int currentGeneration() {
        return generation;
    }

    /** Counts a restart; past {@link #MAX_RESTARTS}, fails the listing. Caller holds the lock. */
    private void countRestart(String reason, String cursor) {
        restarts++;
        if (restarts > MAX_RESTARTS) {
            throw new KeyScanException("SCAN of pattern " + Patterns.abbreviate(pattern) + " on " + node.address()
                    + " restarted " + MAX_RESTARTS + " times because the server kept changing; last: " + reason,
                    pattern, cursor, restarts, null);
        }
    }

    /**
     * A part of the reversed cursor space, {@code [start, end)} with {@code end == 0} meaning {@code 2^64}, walked
     * by one cursor, one page at a time.
     */
    final class Range implements PagedRange {

        private final long start;
        private volatile long end;
        private volatile String cursor;
        private volatile boolean finished;
        /** The generation (server process) {@link #cursor} belongs to. */
        private volatile int generation;

        private Range(long start, long end, int generation) {
            this.start = start;
            this.end = end;
            this.generation = generation;
            this.cursor = startCursor();
        }

        /** Whether the walk of this range is complete (for its generation). */
        @Override
        public boolean finished() {
            return finished;
        }

        /** The cursor the next SCAN call of this range sends. */
        String cursor() {
            return cursor;
        }

        private String startCursor() {
            return start == 0 ? ScanPage.FIRST_CURSOR : Long.toUnsignedString(Long.reverse(start));
        }

        private void restartAt(int newGeneration) {
            cursor = startCursor();
            finished = false;
            generation = newGeneration;
        }

        /**
         * The keys of this range's next page, possibly none. Cold: subscribing sends the call. Not to be called
         * again before the previous page completed, nor after {@link #finished()}.
         */
        @Override
        public Mono<List<byte[]>> nextPage() {
            if (finished) {
                return Mono.error(new IllegalStateException("range of " + node.address() + " already finished"));
            }
            return server() == null ? firstPage() : followingPage();
        }

        /**
         * The request for the next call. A type-filtered listing sends SCAN's TYPE argument from its first call on,
         * before the server is known, so that the server never looks at (and lazily expires) keys of other types
         * on that page either; it stops sending it once the server is known not to filter by type, or refused
         * the argument.
         */
        private ScanRequest request() {
            boolean sendType;
            synchronized (NodeIteration.this) {
                sendType = type != null && !typeArgumentRefused && (server == null || TypeFilter.serverFilters(server));
            }
            return ScanRequest.of(cursor, match, tuner.count(), sendType ? type.redisName() : null);
        }

        /**
         * The keys of a page of the asked type: as the server sent them where it filtered them, else checked here
         * with TYPE calls (also when an unknown kind of server accepted the TYPE argument: filtering twice costs
         * calls, trusting a server that ignored it would return keys of other types).
         */
        private Mono<List<byte[]>> ofType(ScanRequest request, List<byte[]> keys) {
            boolean filtered = request.type() != null && TypeFilter.serverFilters(server());
            return filtered ? Mono.just(keys) : TypeFilter.ofType(runner, pattern, type, node, keys);
        }

        /**
         * When a SCAN carrying the TYPE argument failed for good (not a transient failure that retries exhausted),
         * the server may not take the argument: the page is asked again without it, and every later page of this
         * listing too, the keys then checked with TYPE calls. A failure with another cause fails again, and is
         * reported then.
         */
        private Mono<List<byte[]>> withoutTypeIfRefused(TypeArgumentRefused refused, ScanRequest request,
                Supplier<Mono<List<byte[]>>> again) {
            synchronized (NodeIteration.this) {
                typeArgumentRefused = true;
            }
            Throwable failure = refused.getCause();
            log.info("SCAN ... TYPE {} of pattern {} on {} failed ({}); listing that server without the TYPE argument "
                    + "and checking the keys' types with TYPE calls", request.type(), Patterns.abbreviate(pattern),
                    node.address(), CommandRunner.describe(failure.getCause() != null ? failure.getCause() : failure));
            return again.get();
        }

        /**
         * A failure of the SCAN call itself (not of what follows it: TYPE calls, a page already accepted) that may
         * be the server refusing the TYPE argument: marked, so that only it leads to asking again without TYPE.
         */
        private <T> Mono<T> markTypeRefusal(ScanRequest request, Throwable error) {
            if (request.type() != null && error instanceof KeyScanException && error.getCause() != null
                    && !runner.isTransient(error.getCause())) {
                return Mono.error(new TypeArgumentRefused(error));
            }
            return Mono.error(error);
        }

        private Mono<List<byte[]>> firstPage() {
            ScanRequest request = request();
            Call call = new Call("SCAN", pattern, node::address, request.cursor());
            return runner.run(() -> {
                long epochBefore = node.connectionEpoch();
                // All written before any reply is awaited: one round trip, one connection, run in this order. The
                // SCAN time reading, taken before this SCAN runs, is the base the next readings are measured from.
                return Mono.zip(node.serverInfo(), sampler.baseline(), node.scan(request))
                        .map(replies -> new FirstReply(replies.getT1(), replies.getT2(), replies.getT3(), epochBefore));
            }, call).onErrorResume(error -> markTypeRefusal(request, error)).<List<byte[]>>map(attempt -> {
                FirstReply reply = attempt.value();
                synchronized (NodeIteration.this) {
                    long epochAfter = node.connectionEpoch();
                    if (epochAfter != reply.epochBefore()) {
                        // Reconnected between the replies: they may come from different processes. Again.
                        countRestart("the connection was re-established during the first SCAN call", cursor);
                        restartAt(NodeIteration.this.generation);
                        return List.of();
                    }
                    server = reply.info();
                    trustedEpoch = epochAfter;
                    generation = NodeIteration.this.generation;
                }
                sampler.started(reply.scanMicros(), request.count());
                return accept(reply.page(), request);
            }).flatMap(keys -> ofType(request, keys))
                    .onErrorResume(TypeArgumentRefused.class,
                            refused -> withoutTypeIfRefused(refused, request, this::firstPage));
        }

        private Mono<List<byte[]>> followingPage() {
            ScanRequest request = request();
            Call call = new Call("SCAN", pattern, node::address, request.cursor());
            return runner.run(() -> sampler.scan(request), call)
                    .onErrorResume(error -> markTypeRefusal(request, error))
                    .flatMap(attempt -> afterReply(attempt, request))
                    .flatMap(keys -> ofType(request, keys))
                    .onErrorResume(TypeArgumentRefused.class,
                            refused -> withoutTypeIfRefused(refused, request, this::followingPage));
        }

        private Mono<List<byte[]>> afterReply(Attempt<ScanPage> attempt, ScanRequest request) {
            boolean trusted;
            synchronized (NodeIteration.this) {
                if (generation != NodeIteration.this.generation) {
                    // Another range found the server replaced while this call was out: its cursor is void.
                    restartAt(NodeIteration.this.generation);
                    return Mono.just(List.of());
                }
                trusted = attempt.attempts() == 1 && node.connectionEpoch() == trustedEpoch;
            }
            // accept() tells the listener: user code, never run while holding the iteration's lock
            return trusted ? Mono.just(accept(attempt.value(), request)) : verifyServer(attempt, request);
        }

        /** After a retry or a reconnect: is the process that answered still the one that issued the cursor? */
        private Mono<List<byte[]>> verifyServer(Attempt<ScanPage> scanned, ScanRequest request) {
            Call call = new Call("INFO server", pattern, node::address, request.cursor());
            return runner.run(() -> {
                // The epoch as INFO is sent: a reconnect after this point, even one that completes before the
                // reply is handled, leaves the next page unverified and so checked again.
                long epochBefore = node.connectionEpoch();
                return node.serverInfo().map(info -> new Observed(info, epochBefore));
            }, call).map(info -> {
                boolean serverChanged = false;
                boolean keep;
                synchronized (NodeIteration.this) {
                    long epochBefore = info.value().epochBefore();
                    ServerInfo current = info.value().info();
                    ServerInfo known = server;
                    if (!current.runId().equals(known.runId())) {
                        if (generation == NodeIteration.this.generation) {
                            log.warn("Redis server at {} changed during SCAN of pattern {} (run_id {} -> {}), likely "
                                    + "a restart or failover; cursor {} is meaningless to the new process, so this "
                                    + "server is scanned again from cursor 0", node.address(),
                                    Patterns.abbreviate(pattern), known.runId(), current.runId(), request.cursor());
                            countRestart("run_id changed from " + known.runId() + " to " + current.runId(),
                                    request.cursor());
                            serverChanged = true;
                            server = current;
                            NodeIteration.this.generation++;
                        }
                        trustedEpoch = epochBefore;
                        // The page may come from either process: drop it; the new generation's walk covers it.
                        restartAt(NodeIteration.this.generation);
                        keep = false;
                    } else {
                        trustedEpoch = epochBefore;
                        keep = generation == NodeIteration.this.generation;
                        if (!keep) {
                            restartAt(NodeIteration.this.generation);
                        }
                    }
                }
                // The listener is user code: told outside the lock (accept() tells it of the page).
                if (serverChanged) {
                    notifyServerChange();
                }
                return keep ? accept(scanned.value(), request) : List.<byte[]>of();
            });
        }

        private List<byte[]> accept(ScanPage page, ScanRequest request) {
            try {
                listener.onScanPage(node.address(), request.count(), page.keys().size());
            } catch (RuntimeException e) {
                log.warn("KeyScanListener.onScanPage failed; ignored", e);
            }
            String next = page.cursor();
            long rangeEnd = end;
            cursor = next;
            finished = page.isLast()
                    || (rangeEnd != 0 && Long.compareUnsigned(Long.reverse(Long.parseUnsignedLong(next)), rangeEnd) >= 0);
            return page.keys();
        }
    }

    /** A SCAN carrying TYPE that failed for good: the cause is the {@link KeyScanException} it failed with. */
    private static final class TypeArgumentRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TypeArgumentRefused(Throwable failure) {
            super(failure.getMessage(), failure, false, false);
        }
    }

    /** A server description and the connection epoch when it was asked for. */
    private record Observed(ServerInfo info, long epochBefore) {
    }

    /** The replies of a listing's first round trip: the server, its SCAN time before, the first page. */
    private record FirstReply(ServerInfo info, long scanMicros, ScanPage page, long epochBefore) {
    }
}
