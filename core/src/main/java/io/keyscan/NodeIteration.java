package io.keyscan;

import io.keyscan.CommandRunner.Attempt;
import io.keyscan.CommandRunner.Call;
import io.keyscan.spi.ScanNode;
import io.keyscan.spi.ScanPage;
import io.keyscan.spi.ScanRequest;
import io.keyscan.spi.ServerInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
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
 * cursor is Redis' or Valkey's plain table cursor (standalone mode); cluster mode (7.4+) puts the slot in the low
 * bits (slot ranges then, below) and other servers may differ, so the caller splits only where
 * {@link #allowsCursorRanges} says so.
 *
 * <p><b>Slot-precise progress.</b> A cluster node that keeps one table per slot ({@code kvstore.c}: Redis 7.4+,
 * Valkey 8+) walks its slots in increasing order with the slot in the cursor's low 14 bits (see
 * {@link ClusterSlots}). Where a generation's replies show that layout (one cursor's keys stepping to a later
 * slot {@value #CONFIRMING_SLOTS} times, and no key or cursor out of order), the slots before the cursor's are
 * finished: when the shard's process is replaced (a failover, a restart), the walk resumes on the new process at the
 * start of the slot that was in progress, so it reads again at most that slot. The new process must show the same layout by the end
 * of its walk (it may be another version, in a rolling upgrade); if it does not, or contradicts it, the node is
 * walked again from cursor 0. Nothing is assumed from a version number.
 *
 * <p>Thread-safe: ranges of one iteration run concurrently; each range runs one page at a time.
 */
final class NodeIteration {

    private static final Logger log = LoggerFactory.getLogger(NodeIteration.class);

    /** More server changes than this in one listing end it with an error instead of looping. */
    static final int MAX_RESTARTS = 5;

    /**
     * Steps to a later slot that one range's keys must make, in order, before the generation's cursor is taken to
     * carry the slot (17 distinct slots, the first key not counted). A node whose cursor does not (one table for all
     * slots) returns keys of random slots: the chance that 17 of them arrive sorted is 1 in 17! (about 3e-15), and one
     * key out of order refutes the layout for good.
     */
    static final int CONFIRMING_SLOTS = 16;

    private final ScanNode node;
    private final String pattern;
    private final byte[] match;
    private final @Nullable KeyType type;
    private final CommandRunner runner;
    private final CountTuner tuner;
    private final KeyScanListener listener;
    private final ScanTimeSampler sampler;
    private final RoundTrips roundTrips;
    /** The processes (run ids) whose cursor was shown to carry the slot, shared by the scanner's listings. */
    private final SlotCursorProcesses slotCursorProcesses;
    /** The range a listing starts with: it alone walks the node again if slot ranges turn out not to hold. */
    private @Nullable Range primary;

    // Guarded by this.
    private @Nullable ServerInfo server;
    /** The server failed a SCAN that carried the TYPE argument: type filtering is done with TYPE calls. */
    private boolean typeArgumentRefused;
    private long trustedEpoch;
    private int generation;
    private int restarts;
    /** What the current generation's replies show of its cursor: see {@link #observeSlots}. */
    /** One range of the current generation met {@value #CONFIRMING_SLOTS} slot steps in increasing order. */
    private boolean slotLayoutConfirmed;
    private boolean slotLayoutRefuted;
    /**
     * The current generation resumed the walk at the slots that were in progress on the process before it, rather
     * than from cursor 0: it must itself show the per-slot cursor by its end, or the node is walked again in full.
     */
    private boolean resumedAtSlots;

    NodeIteration(ScanNode node, String pattern, byte[] match, @Nullable KeyType type, CommandRunner runner,
            CountTuner tuner, KeyScanListener listener, SlotCursorProcesses slotCursorProcesses,
            LongSupplier nanoClock, RoundTrips roundTrips) {
        this.slotCursorProcesses = slotCursorProcesses;
        this.node = node;
        this.pattern = pattern;
        this.match = match;
        this.type = type;
        this.runner = runner;
        this.tuner = tuner;
        this.listener = listener;
        this.roundTrips = roundTrips;
        this.sampler = new ScanTimeSampler(node, tuner, nanoClock, roundTrips);
    }

    /**
     * The round trip to this listing's server, in nanoseconds: the shortest the scanner has seen, this listing's
     * server-time readings included ({@link RoundTrips}); {@link RoundTrips#NONE} when none was timed (COUNT is
     * not tuned).
     */
    long roundTripNanos() {
        return roundTrips.shortest(node.address());
    }

    /** The whole cursor space, starting at cursor 0. */
    Range fullRange() {
        Range range = new Range(0, 0, currentGeneration());
        primary = range;
        return range;
    }

    /**
     * The node's slots in {@code slots}, as ranges of contiguous slots, each walked by its own cursor from the start
     * of its first slot until the cursor passes its last: only where the node's process is known to keep a table
     * per slot, which its first page checks (else the first range walks the whole node, the others nothing).
     * Used to list again the slots a node gained during a listing.
     */
    List<Range> slotRanges(java.util.BitSet slots) {
        List<Range> ranges = new ArrayList<>();
        int generation = currentGeneration();
        for (int from = slots.nextSetBit(0); from >= 0; ) {
            int to = slots.nextClearBit(from) - 1;
            ranges.add(new Range(0L, 0L, generation).slots(from, to));
            from = slots.nextSetBit(to + 1);
        }
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("no slots to list on " + node.address());
        }
        primary = ranges.get(0);
        return ranges;
    }

    /** The server the current cursors belong to; {@code null} before the first page. */
    synchronized @Nullable ServerInfo server() {
        return server;
    }

    /**
     * Whether the cursor of {@code server} may be cut into ranges: Redis or Valkey in standalone mode. Both step the
     * cursor with the reversed-bit increment over one table's buckets, covering both tables while it rehashes:
     * Redis' and Valkey 8.0's {@code dict.c dictScan}, Valkey 8.1+'s {@code hashtable.c hashtableScanDefrag}
     * ({@code nextCursor}). Shown under writes, growth and shrinkage by the adapter's {@code AutoTuneIT} on each.
     */
    static boolean allowsCursorRanges(@Nullable ServerInfo server) {
        return server != null && (server.product().equals("redis") || server.product().equals("valkey"))
                && server.mode().equals("standalone");
    }

    /**
     * Cuts what is left of {@code first} (after its first page) into {@code parts} ranges, rounded down to a
     * power of two: {@code first} keeps the first part and goes on from its cursor; the others start at their
     * boundaries. Only when the first part is less than a quarter done, i.e. the keyspace is worth it;
     * otherwise just {@code first}.
     */
    synchronized List<Range> split(Range first, int parts) {
        if (parts >= 2 && !first.finished && slotLayoutShown()) {
            return splitSlots(first, parts);
        }
        int k = Integer.highestOneBit(Math.max(1, parts));
        if (k < 2 || first.finished || !allowsCursorRanges(server)) {
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
     * Cuts the node's slots from the one {@code first} is in to the last one it would walk into {@code parts}
     * ranges of about as many slots each: {@code first} keeps the first and goes on from its cursor. Only when at
     * least 2 slots per part are left. Caller holds the lock.
     */
    private List<Range> splitSlots(Range first, int parts) {
        int current = ClusterSlots.slotOf(first.cursor);
        int last = first.firstSlot >= 0 ? first.lastSlot : ClusterSlots.SLOTS - 1;
        java.util.BitSet owned = node.slots();
        owned.clear(0, current + 1);
        owned.clear(last + 1, ClusterSlots.SLOTS);
        int[] left = owned.stream().toArray();
        int perPart = (left.length + 1) / parts;
        if (perPart < 2) {
            return List.of(first);
        }
        List<Range> ranges = new ArrayList<>(parts);
        ranges.add(first);
        // part 0 (first) is the slot in progress and the perPart - 1 after it; part i starts at left[i * perPart - 1]
        for (int i = 1; i < parts; i++) {
            int from = left[i * perPart - 1];
            int to = i == parts - 1 ? last : left[(i + 1) * perPart - 1] - 1;
            ranges.add(new Range(0L, 0L, generation).slots(from, to));
        }
        first.toSlot(left[perPart - 1] - 1);
        tuner.cursors(ranges.size());
        return ranges;
    }

    /**
     * The ranges of {@code ranges} that finished in an earlier generation, i.e. on a server process that has
     * since been replaced, each reset to walk again (see {@link Range#restartAt}).
     */
    synchronized List<Range> staleRanges(List<Range> ranges) {
        List<Range> stale = new ArrayList<>();
        for (Range range : ranges) {
            if (range.generation != generation) {
                range.restartAt(generation);
                if (!range.finished) {
                    stale.add(range); // a range finished before a resumption at slots stays finished
                }
            }
        }
        return stale;
    }

    /** Whether the current generation's replies showed the per-slot cursor and nothing against it. Caller holds the lock. */
    private boolean slotLayoutShown() {
        return !slotLayoutRefuted && server != null
                && (slotLayoutConfirmed || slotCursorProcesses.contains(server.runId()));
    }

    /** Whether the replies of a cluster node have not yet shown whether its cursor carries the slot. */
    synchronized boolean slotLayoutPending() {
        return server != null && server.mode().equals("cluster") && !slotLayoutRefuted && !slotLayoutShown();
    }

    /**
     * Whether {@code range} is still to walk: not finished, and, besides the listing's first range, only while slot
     * ranges hold (on another process the first range walks the whole node).
     */
    synchronized boolean toWalk(Range range) {
        return !range.finished && (range == primary || slotLayoutShown());
    }

    /** Whether the node's process is known to keep a table per slot: slot ranges hold on it. */
    synchronized boolean slotRangesHold() {
        return slotLayoutShown();
    }

    /** Starts a generation: resumed at the slots in progress, or from cursor 0. Caller holds the lock. */
    private void newGeneration(boolean atSlots) {
        generation++;
        resumedAtSlots = atSlots;
        slotLayoutConfirmed = false;
        slotLayoutRefuted = false;
    }

    /**
     * Checks a page of {@code range} against the per-slot cursor layout: every key's slot at least the slot of the
     * cursor sent and of the key before it, at most the slot of the cursor returned (unless that is 0, the end),
     * which is not before the one sent. Counts the distinct slots met in order. Only on a cluster node.
     *
     * @return whether this generation resumed at slots and the page contradicts the layout: walk the node in full
     */
    private synchronized boolean observeSlots(Range range, String sent, ScanPage page) {
        if (slotLayoutRefuted || server == null || !server.mode().equals("cluster") || range.generation != generation) {
            return false;
        }
        int from = ClusterSlots.slotOf(sent);
        boolean last = page.isLast();
        int to = last ? ClusterSlots.SLOTS - 1 : ClusterSlots.slotOf(page.cursor());
        boolean inOrder = to >= from;
        int previous = range.lastKeySlot;
        for (byte[] key : page.keys()) {
            int slot = ClusterSlots.of(key);
            if (slot < from || slot < previous || slot > to) {
                inOrder = false;
                break;
            }
            if (slot > previous && previous >= 0) {
                range.slotSteps++; // a step from one slot to a later one, within one range's walk
            }
            previous = slot;
        }
        range.lastKeySlot = previous;
        if (!inOrder) {
            slotLayoutRefuted = true;
            slotCursorProcesses.remove(server.runId());
            return resumedAtSlots || range.firstSlot >= 0;
        }
        if (range.slotSteps >= CONFIRMING_SLOTS) {
            slotLayoutConfirmed = true;
            slotCursorProcesses.add(server.runId());
        }
        return false;
    }

    /** Walks the node again from cursor 0 in a new generation. Caller holds the lock. */
    private void restartFully(String reason, String cursor) {
        log.warn("{}: {}; listing it again from cursor 0", node.address(), reason);
        countRestart(reason, cursor);
        newGeneration(false);
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
        /** A slot range: its first slot, -1 for a range of the reversed cursor space. */
        private volatile int firstSlot = -1;
        private volatile int lastSlot = -1;
        private volatile String cursor;
        private volatile boolean finished;
        /** The generation (server process) {@link #cursor} belongs to. */
        private volatile int generation;
        /** The slot of the last key this range's generation returned; -1 before one. Guarded by the iteration. */
        private int lastKeySlot = -1;
        /** Steps to a later slot between this range's keys, in this generation. Guarded by the iteration. */
        private int slotSteps;

        private Range(long start, long end, int generation) {
            this.start = start;
            this.end = end;
            this.generation = generation;
            this.cursor = startCursor();
        }

        /** A range of slots {@code firstSlot..lastSlot}, on a node whose cursor carries the slot. */
        private Range slots(int firstSlot, int lastSlot) {
            this.firstSlot = firstSlot;
            this.lastSlot = lastSlot;
            this.cursor = startCursor();
            return this;
        }

        /** Ends this range after {@code slot}: it becomes a slot range from where it is. */
        private void toSlot(int slot) {
            if (firstSlot < 0) {
                firstSlot = 0;
            }
            lastSlot = slot;
        }

        /**
         * This slot range, on a process not known to keep a table per slot, becomes the whole node. Caller holds the
         * iteration's lock.
         */
        private void wholeNodeInstead() {
            log.info("{} is not known to keep a table per slot: listing all of it, not only slots {}-{}",
                    node.address(), firstSlot, lastSlot);
            wholeNode();
        }

        /** The whole node again, from cursor 0: a full range of the reversed cursor space. */
        private void wholeNode() {
            firstSlot = -1;
            lastSlot = -1;
            end = 0;
            cursor = startCursor();
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
            if (firstSlot > 0) {
                return ClusterSlots.startOf(firstSlot);
            }
            return start == 0 ? ScanPage.FIRST_CURSOR : Long.toUnsignedString(Long.reverse(start));
        }

        /**
         * Walks this range again on the process of {@code newGeneration}: from the start of the slot it was in when
         * that generation resumed at slots (a finished range stays finished), else from its start. Caller holds the
         * iteration's lock.
         */
        private void restartAt(int newGeneration) {
            if (!resumedAtSlots && firstSlot >= 0) {
                // slot ranges are meaningless to a process not known to keep a table per slot: the primary
                // range walks the whole node, the others nothing
                if (this == primary) {
                    wholeNode();
                    finished = false;
                } else {
                    finished = true;
                }
            } else if (!resumedAtSlots) {
                cursor = startCursor();
                finished = false;
            } else if (!finished) {
                cursor = ClusterSlots.startOf(ClusterSlots.slotOf(cursor));
            }
            lastKeySlot = -1;
            slotSteps = 0;
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
            if (server() != null) {
                return followingPage();
            }
            return firstSlot >= 0 ? slotRangeOrWholeNode().then(Mono.defer(this::firstPage)) : firstPage();
        }

        /**
         * Before a slot range's first SCAN: asks which process the node runs, and makes the range the whole node if
         * that process is not known to keep a table per slot (its cursor would mean something else). One round trip,
         * only when a listing lists again the slots a node gained.
         */
        private Mono<Void> slotRangeOrWholeNode() {
            Call call = new Call("INFO server", pattern, node::address, null);
            return runner.run(node::serverInfo, call).doOnNext(info -> {
                if (!slotCursorProcesses.contains(info.value().runId())) {
                    synchronized (NodeIteration.this) {
                        wholeNodeInstead();
                    }
                }
            }).then();
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
                    if (firstSlot >= 0 && !slotCursorProcesses.contains(server.runId())) {
                        // slots to list again on a process not known to carry the slot in its cursor: its cursor
                        // means something else, so the page is dropped and the whole node walked from cursor 0
                        wholeNodeInstead();
                        return List.<byte[]>of();
                    }
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
            return runner.run(() -> pageFromIssuer(request), call)
                    .onErrorResume(error -> markTypeRefusal(request, error))
                    .flatMap(attempt -> attempt.value().page() == null
                            ? Mono.just(onServerObserved(attempt.value().observed(), null, request))
                            : afterReply(new Attempt<>(attempt.value().page(), attempt.attempts()), request))
                    .flatMap(keys -> ofType(request, keys))
                    .onErrorResume(TypeArgumentRefused.class,
                            refused -> withoutTypeIfRefused(refused, request, this::followingPage));
        }

        /**
         * The next page. But when the connection was established again since the cursor was trusted (a reconnect,
         * or the shard moved to another server), first which process answers now: the cursor goes only to the one
         * that issued it, and for another one the reply is that process, with no page (its walk starts over).
         */
        private Mono<PageOrProcess> pageFromIssuer(ScanRequest request) {
            // a shard whose last command failed first looks where it is now: a move shows in the epoch
            Mono<Void> located = node instanceof FollowedShard ? ((FollowedShard) node).located() : Mono.empty();
            return located.then(Mono.defer(() -> pageOrProcess(request)));
        }

        private Mono<PageOrProcess> pageOrProcess(ScanRequest request) {
            long epoch = node.connectionEpoch();
            ServerInfo issuer;
            synchronized (NodeIteration.this) {
                issuer = epoch == trustedEpoch ? null : server;
            }
            if (issuer == null) {
                return sampler.scan(request).map(page -> new PageOrProcess(page, null));
            }
            return node.serverInfo().flatMap(info -> {
                if (!info.runId().equals(issuer.runId())) {
                    return Mono.just(new PageOrProcess(null, new Observed(info, epoch)));
                }
                synchronized (NodeIteration.this) {
                    // the epoch read before INFO was sent: a reconnect since shows as another epoch again
                    if (server == issuer) {
                        trustedEpoch = epoch;
                    }
                }
                return sampler.scan(request).map(page -> new PageOrProcess(page, null));
            });
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
            }, call).map(info -> onServerObserved(info.value(), scanned.value(), request));
        }

        /**
         * The process {@code observed} answers on this node now: the same one, and {@code page} (if any) is kept;
         * another one, and the walk starts a new generation on it (see {@link #restartAt}), the page dropped.
         */
        private List<byte[]> onServerObserved(Observed observed, @Nullable ScanPage page, ScanRequest request) {
            boolean serverChanged = false;
            boolean keep;
            synchronized (NodeIteration.this) {
                long epochBefore = observed.epochBefore();
                ServerInfo current = observed.info();
                ServerInfo known = server;
                if (!current.runId().equals(known.runId())) {
                    if (generation == NodeIteration.this.generation) {
                        log.warn("Redis server at {} changed during SCAN of pattern {} (run_id {} -> {}), likely "
                                + "a restart or failover; cursor {} is meaningless to the new process, so this "
                                + "server is scanned again{}", node.address(),
                                Patterns.abbreviate(pattern), known.runId(), current.runId(), request.cursor(),
                                slotLayoutShown() ? " from the start of the slot in progress"
                                        : " from cursor 0");
                        countRestart("run_id changed from " + known.runId() + " to " + current.runId(),
                                request.cursor());
                        serverChanged = true;
                        boolean atSlots = slotLayoutShown(); // the OLD process' layout decides what its cursor means
                        server = current;
                        newGeneration(atSlots);
                        if (resumedAtSlots) {
                            log.info("{}: its cursor carries the slot, so only the slots from {} on are listed "
                                    + "again", node.address(), ClusterSlots.slotOf(cursor));
                        }
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
            return keep && page != null ? accept(page, request) : List.<byte[]>of();
        }

        private List<byte[]> accept(ScanPage page, ScanRequest request) {
            try {
                listener.onScanPage(node.address(), request.count(), page.keys().size());
            } catch (RuntimeException e) {
                log.warn("KeyScanListener.onScanPage failed; ignored", e);
            }
            String next = page.cursor();
            long rangeEnd = end;
            int rangeLastSlot = lastSlot;
            boolean last = page.isLast()
                    || (firstSlot >= 0 && ClusterSlots.slotOf(next) > rangeLastSlot)
                    || (rangeEnd != 0 && Long.compareUnsigned(Long.reverse(Long.parseUnsignedLong(next)), rangeEnd) >= 0);
            if (observeSlots(this, request.cursor(), page)) {
                synchronized (NodeIteration.this) {
                    restartFully("the server's replies do not show a cursor that carries the slot", cursor);
                    restartAt(NodeIteration.this.generation);
                }
                return List.of();
            }
            if (last) {
                synchronized (NodeIteration.this) {
                    if (resumedAtSlots && generation == NodeIteration.this.generation && !slotLayoutShown()) {
                        restartFully("the server that took over did not show by the end of its walk that its cursor "
                                + "carries the slot", cursor);
                        restartAt(NodeIteration.this.generation);
                        return List.of();
                    }
                }
            }
            cursor = next;
            finished = last;
            return firstSlot >= 0 ? inSlots(page.keys()) : page.keys();
        }

        /**
         * The keys of this slot range's slots: a SCAN call that finished the range's last slot goes on into the
         * next one until it has COUNT keys, and those keys are the next range's to list.
         */
        private List<byte[]> inSlots(List<byte[]> keys) {
            int from = firstSlot;
            int to = lastSlot;
            List<byte[]> inRange = null;
            for (int i = 0; i < keys.size(); i++) {
                int slot = ClusterSlots.of(keys.get(i));
                boolean keep = slot >= from && slot <= to;
                if (!keep && inRange == null) {
                    inRange = new ArrayList<>(keys.subList(0, i));
                } else if (keep && inRange != null) {
                    inRange.add(keys.get(i));
                }
            }
            return inRange == null ? keys : inRange;
        }
    }

    /** A SCAN carrying TYPE that failed for good: the cause is the {@link KeyScanException} it failed with. */
    private static final class TypeArgumentRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TypeArgumentRefused(Throwable failure) {
            super(failure.getMessage(), failure, false, false);
        }
    }

    /** A page, or no page and the other process that answers instead of the one that issued the cursor. */
    private record PageOrProcess(@Nullable ScanPage page, @Nullable Observed observed) {
    }

    /** A server description and the connection epoch when it was asked for. */
    private record Observed(ServerInfo info, long epochBefore) {
    }

    /** The replies of a listing's first round trip: the server, its SCAN time before, the first page. */
    private record FirstReply(ServerInfo info, long scanMicros, ScanPage page, long epochBefore) {
    }
}
