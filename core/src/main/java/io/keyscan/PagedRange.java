package io.keyscan;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * A part of one server's keyspace walked by one SCAN cursor, a page at a time: what {@link NodeKeyWalk} pulls
 * pages from. {@link NodeIteration.Range} is the one the engine uses; tests script others.
 */
interface PagedRange {

    /** Whether the walk of this range is complete. */
    boolean finished();

    /**
     * The keys of the next page, possibly none. Cold: subscribing sends the call; cancelling the subscription
     * cancels it. Not called again before the previous page completed, nor after {@link #finished()}.
     */
    Mono<List<byte[]>> nextPage();
}
