package io.keyscan.examples.web;

import io.keyscan.KeyScanException;
import io.lettuce.core.RedisException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers every failure as {@code {"error": "...", "status": N}}: 400 for requests the endpoints refuse, 503 when
 * Redis fails (a {@link KeyScanException}: every retry spent, or a failure that is not retried; or a Lettuce
 * {@link RedisException}), the framework's own status for what it refuses (404, 405, ...), 500 for anything else.
 *
 * <p>Ordered before Spring Boot's error handler (order -1), so that these answers replace its default body. A
 * response already committed (a stream that failed mid-way, see {@link NdjsonStreams}) cannot be answered any more:
 * the error is passed on and the server closes the connection.
 */
@Component
@Order(-2)
final class JsonErrorHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(JsonErrorHandler.class);

    private final JsonMapper json;

    JsonErrorHandler(JsonMapper json) {
        this.json = json;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(error);
        }
        HttpStatus status = statusOf(error);
        String message = messageOf(error, status);
        if (status.is5xxServerError()) {
            // with the stack trace for what nobody expected; Redis failures carry their whole story in the message
            if (status == HttpStatus.INTERNAL_SERVER_ERROR) {
                log.error("{} {} failed", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), error);
            } else {
                log.warn("{} {} answered {}: {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
                        status.value(), message);
            }
        }
        byte[] body = json.writeValueAsBytes(new ErrorBody(message, status.value()));
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        response.getHeaders().setContentLength(body.length);
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

    static HttpStatus statusOf(Throwable error) {
        if (error instanceof InvalidRequestException) {
            return HttpStatus.BAD_REQUEST;
        }
        if (error instanceof KeyScanException || error instanceof RedisException) {
            return HttpStatus.SERVICE_UNAVAILABLE;
        }
        if (error instanceof ResponseStatusException) {
            HttpStatusCode code = ((ResponseStatusException) error).getStatusCode();
            HttpStatus status = HttpStatus.resolve(code.value());
            return status != null ? status : HttpStatus.INTERNAL_SERVER_ERROR;
        }
        return HttpStatus.INTERNAL_SERVER_ERROR;
    }

    static String messageOf(Throwable error, HttpStatus status) {
        if (status == HttpStatus.BAD_REQUEST && error instanceof InvalidRequestException) {
            return String.valueOf(error.getMessage());
        }
        if (status == HttpStatus.SERVICE_UNAVAILABLE) {
            // keyscan's message names the pattern, the server (host:port, never a password), the command, the
            // attempts and the cause: what an operator needs, and nothing secret
            return "Redis failed while listing keys: " + error.getMessage();
        }
        if (error instanceof ResponseStatusException) {
            String reason = ((ResponseStatusException) error).getReason();
            return reason != null ? reason : status.getReasonPhrase();
        }
        return "internal error (see the server log)";
    }
}
