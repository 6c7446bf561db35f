package io.keyscan.examples.web;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.codec.Hints;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Turns a listing into an NDJSON response whose status tells the truth about its start, and whose end tells the truth
 * about its end.
 *
 * <p><b>Status.</b> Nothing is committed before the listing's first signal is known: a first key makes the response a
 * 200 whose body is the whole listing (that key included, nothing read twice: the listing is subscribed once); a
 * listing that fails before its first key (Redis down, every retry spent) fails the write before anything was sent,
 * and the error handler answers 503 with a JSON error; an empty listing is a 200 with an empty body.
 *
 * <p><b>Failure after the first line.</b> The status and some lines are already on the wire and cannot be taken
 * back. The stream then ends with one last line, {@code {"error": "...", "status": 503}}, and the connection is
 * closed without the HTTP/1.1 terminating chunk, which HTTP clients report as an incomplete response (curl: exit
 * code 18, "transfer closed with outstanding read data remaining"; Reactor Netty's client: a
 * {@code PrematureCloseException}), so that no client mistakes a failed listing for a shorter one. The error line
 * is written on a best-effort basis (it can be lost if the connection is closed before the client read it); the
 * incomplete response is what to rely on.
 *
 * <p><b>Backpressure.</b> Nothing here buffers: the listing is read only as fast as the response is written. On
 * Reactor Netty (the default server), Jackson's NDJSON encoder maps element by element, {@code sendGroups}
 * prefetches 32 elements and {@code MonoSendMany} keeps at most 128 writes in flight, asking for more only as Netty
 * completes writes to the socket; keyscan's {@code scan} sends a SCAN only when that demand exceeds the keys it
 * holds (at most one page ahead). A client that stops reading fills its receive window and the server's socket
 * buffer, after which the server stops asking Redis for keys: what a slow client costs the server is one SCAN page,
 * a few hundred lines and the kernel's socket buffers (a few MB on Linux), whatever the size of the keyspace.
 * {@code SlowReaderIT} measures it.
 */
final class NdjsonStreams {

    private static final Logger log = LoggerFactory.getLogger(NdjsonStreams.class);

    private NdjsonStreams() {
    }

    /**
     * A 200 NDJSON response streaming {@code items} (each element one JSON line), or the listing's error if it fails
     * before its first element.
     *
     * <p>The listing is subscribed when the response is written, and waited on there: its first signal arrives before
     * anything is committed, so an error can still become a 503 (the status and content type set here are only
     * defaults until the first write). Its lifetime is that of the write: a client that goes away, before or after the
     * first key, cancels it.
     *
     * @param items a cold listing, subscribed once
     * @param what what is being listed, for the log line and the error line of a failure mid-stream
     */
    static Mono<ServerResponse> stream(Flux<?> items, String what) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_NDJSON).build((exchange, context) ->
                items.switchOnFirst((first, all) -> {
                    if (first.isOnError()) {
                        // Nothing is written yet: the error handler still chooses the status (503 for Redis).
                        return Mono.error(first.getThrowable());
                    }
                    Flux<Object> body = all.<Object>map(item -> item)
                            .onErrorResume(error -> endWithErrorLine(error, what));
                    return BodyInserters.fromPublisher(body, Object.class)
                            .insert(exchange.getResponse(), insertContext(exchange, context));
                }, false).then());
        // false: a completed write does not cancel the listing. On a server, the write completes only after the body
        // did; WebTestClient's mock connector completes it at once and reads the body afterwards. A write that fails
        // or is cancelled cancels the listing either way.

    }

    /** What {@code ServerResponse}'s own body responses give their inserters: the configured codecs. */
    private static BodyInserter.Context insertContext(ServerWebExchange exchange, ServerResponse.Context context) {
        return new BodyInserter.Context() {
            @Override
            public List<HttpMessageWriter<?>> messageWriters() {
                return context.messageWriters();
            }

            @Override
            public Optional<ServerHttpRequest> serverRequest() {
                return Optional.of(exchange.getRequest());
            }

            @Override
            public Map<String, Object> hints() {
                return Map.of(Hints.LOG_PREFIX_HINT, exchange.getLogPrefix());
            }
        };
    }

    private static Flux<Object> endWithErrorLine(Throwable error, String what) {
        HttpStatus status = JsonErrorHandler.statusOf(error);
        String message = JsonErrorHandler.messageOf(error, status);
        log.warn("Listing {} failed after the response started; ending the stream with an error line and closing the "
                + "connection: {}", what, message);
        // The error after the line makes the server close the connection without the terminating chunk.
        return Flux.concat(Mono.just(new ErrorBody(message, status.value())), Mono.error(error));
    }
}
