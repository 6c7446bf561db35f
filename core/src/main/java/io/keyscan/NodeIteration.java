package io.keyscan;

import io.keyscan.CommandRunner.Attempt;
import io.keyscan.CommandRunner.Call;
import io.keyscan.spi.ScanNode;
import io.keyscan.spi.ScanPage;
import io.keyscan.spi.ScanRequest;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.function.Tuple2;

/**
 * One SCAN iteration over one server: the cursor, the server process that issued it, and the COUNT tuner.
 *
 * <p>A cursor is meaningful only to the process that issued it (each process seeds its hash function at
 * start). So the iteration records the server's {@code run_id} with its first page, sent in the same round
 * trip, and checks it again whenever a page needed a retry or arrived after the connection was established
 * again, which includes a SCAN that the client replayed to a new process after reconnecting. A changed
 * {@code run_id} restarts the iteration from cursor 0: keys are then seen again, never lost.
 *
 * <p>Not thread-safe: its owner runs one {@link #nextPage()} at a time.
 */
final class NodeIteration {

    private static final Logger log = LoggerFactory.getLogger(NodeIteration.class);

    /** More server changes than this in one listing end it with an error instead of looping. */
    static final int MAX_RESTARTS = 5;

    private final ScanNode node;
    private final String pattern;
    private final byte[] match;
    private final CommandRunner runner;
    private final CountTuner tuner;

    private String cursor = ScanPage.FIRST_CURSOR;
    private boolean finished;
    private @Nullable String runId;
    private long trustedEpoch;
    private int restarts;
    private long calls;

    NodeIteration(ScanNode node, String pattern, byte[] match, CommandRunner runner, CountTuner tuner) {
        this.node = node;
        this.pattern = pattern;
        this.match = match;
        this.runner = runner;
        this.tuner = tuner;
    }

    /** Whether the server returned the final cursor. */
    boolean finished() {
        return finished;
    }

    /** The cursor the next SCAN call will send. */
    String cursor() {
        return cursor;
    }

    /** SCAN calls completed so far, restarts included. */
    long calls() {
        return calls;
    }

    /**
     * The keys of the next page, possibly none. Cold: subscribing sends the call. Must not be called again
     * before the previous page completed, nor after {@link #finished()}.
     */
    Mono<List<byte[]>> nextPage() {
        if (finished) {
            return Mono.error(new IllegalStateException("iteration over " + node.address() + " already finished"));
        }
        return runId == null ? firstPage() : followingPage();
    }

    private Mono<List<byte[]>> firstPage() {
        ScanRequest request = request();
        Call call = new Call("INFO server + SCAN", pattern, node.address(), request.cursor());
        return runner.run(() -> {
            long epochBefore = node.connectionEpoch();
            // Both commands are written before either reply is awaited: one round trip, same connection.
            return Mono.zip(node.runId(), node.scan(request)).map(reply -> new FirstReply(reply, epochBefore));
        }, call).map(attempt -> {
            FirstReply reply = attempt.value;
            long epochAfter = node.connectionEpoch();
            if (epochAfter != reply.epochBefore) {
                // Reconnected between the two replies: they may come from different processes. Start over.
                countRestart("the connection was re-established during the first SCAN call");
                return List.of();
            }
            runId = reply.runId;
            trustedEpoch = epochAfter;
            return accept(reply.page, request, attempt.elapsedNanos);
        });
    }

    private Mono<List<byte[]>> followingPage() {
        ScanRequest request = request();
        Call call = new Call("SCAN", pattern, node.address(), request.cursor());
        return runner.run(() -> node.scan(request), call).flatMap(attempt -> {
            if (attempt.attempts == 1 && node.connectionEpoch() == trustedEpoch) {
                return Mono.just(accept(attempt.value, request, attempt.elapsedNanos));
            }
            return verifyServer(attempt, request);
        });
    }

    /** After a retry or a reconnect: is the process that answered still the one that issued the cursor? */
    private Mono<List<byte[]>> verifyServer(Attempt<ScanPage> scanned, ScanRequest request) {
        Call call = new Call("INFO server", pattern, node.address(), request.cursor());
        return runner.run(node::runId, call).map(info -> {
            long epoch = node.connectionEpoch();
            String current = info.value;
            if (current.equals(runId)) {
                trustedEpoch = epoch;
                return accept(scanned.value, request, scanned.elapsedNanos);
            }
            log.warn("Redis server at {} changed during SCAN of pattern {} (run_id {} -> {}), likely a restart or "
                    + "failover; cursor {} is meaningless to the new process, so this server is scanned again from "
                    + "cursor 0", node.address(), Patterns.abbreviate(pattern), runId, current, request.cursor());
            countRestart("run_id changed from " + runId + " to " + current);
            runId = current;
            trustedEpoch = epoch;
            // The page may come from either process: drop it, the rescan covers it.
            return List.of();
        });
    }

    private void countRestart(String reason) {
        restarts++;
        if (restarts > MAX_RESTARTS) {
            throw new KeyScanException("SCAN of pattern " + Patterns.abbreviate(pattern) + " on " + node.address()
                    + " restarted " + MAX_RESTARTS + " times because the server kept changing; last: " + reason,
                    pattern, cursor, restarts, null);
        }
        cursor = ScanPage.FIRST_CURSOR;
    }

    private List<byte[]> accept(ScanPage page, ScanRequest request, long elapsedNanos) {
        calls++;
        tuner.onPage(request.count(), elapsedNanos, page.keys().size());
        cursor = page.cursor();
        finished = page.isLast();
        return page.keys();
    }

    private ScanRequest request() {
        return ScanRequest.of(cursor, match, tuner.count());
    }

    private static final class FirstReply {
        final String runId;
        final ScanPage page;
        final long epochBefore;

        FirstReply(Tuple2<String, ScanPage> reply, long epochBefore) {
            this.runId = reply.getT1();
            this.page = reply.getT2();
            this.epochBefore = epochBefore;
        }
    }
}
