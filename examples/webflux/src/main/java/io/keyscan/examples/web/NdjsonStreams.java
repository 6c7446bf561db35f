package io.keyscan.examples.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Turns a listing into an NDJSON response whose status tells the truth about its start, and whose end tells the truth
 * about its end.
 *
 * <p><b>Status.</b> The response is built only once the listing's first signal is known: a first key makes it a 200
 * whose body is the whole listing (that key included, nothing read twice: the listing is subscribed once); a
 * listing that fails before its first key (Redis down, every retry spent) fails the handler, and the error handler
 * answers 503 with a JSON error, since nothing has been sent yet; an empty listing is a 200 with an empty body.
 *
 * <p><b>Failure after the first line.</b> The status and some lines are already on the wire and cannot be taken
 * back. The stream then ends with one last line, {@code {"error": "...", "status": 503}}, and the connection is
 * closed without the HTTP/1.1 terminating chunk: every HTTP client reports the response as incomplete (curl: exit
 * code 18, "transfer closed with outstanding read data remaining"; Java's HttpClient: an {@code IOException}), so
 * no client can mistake a failed listing for a shorter one. The error line is written on a best-effort basis (it
 * can be lost if the connection is closed before the client read it); the incomplete response is what to rely on.
 *
 * <p><b>Backpressure.</b> Nothing here buffers: the listing is read only as fast as the response is written. On
 * Reactor Netty (the default server), Jackson's NDJSON encoder maps element by element, {@code sendGroups}
 * prefetches 32 elements and {@code MonoSendMany} keeps at most 128 writes in flight, asking for more only as Netty
 * completes writes to the socket; keyscan's {@code scan} sends a SCAN only when that demand exceeds the keys it
 * holds (at most one page ahead). A client that stops reading fills its receive window and the server's socket
 * buffer, after which the server stops asking Redis for keys: what a slow client costs the server is one SCAN page,
 * about 160 lines and the kernel's socket buffers, whatever the size of the keyspace.
 */
final class NdjsonStreams {

    private static final Logger log = LoggerFactory.getLogger(NdjsonStreams.class);

    private NdjsonStreams() {
    }

    /**
     * A 200 NDJSON response streaming {@code items} (each element one JSON line) once the first is known, or the
     * listing's error if it fails before its first element.
     *
     * @param items a cold listing, subscribed once
     * @param what what is being listed, for the log line and the error line of a failure mid-stream
     */
    static Mono<ServerResponse> stream(Flux<?> items, String what) {
        return items.switchOnFirst((first, all) -> {
            if (first.isOnError()) {
                // Nothing has been written: the error handler still chooses the status (503 for Redis failures).
                return Mono.error(first.getThrowable());
            }
            Flux<Object> body = all.<Object>map(item -> item)
                    .onErrorResume(error -> endWithErrorLine(error, what));
            return ServerResponse.ok().contentType(MediaType.APPLICATION_NDJSON).body(body, Object.class);
        }, false) // the source must outlive the Flux that emits the response: the response body subscribes to it later
                .single();
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
