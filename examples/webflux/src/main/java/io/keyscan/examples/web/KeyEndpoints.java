package io.keyscan.examples.web;

import io.keyscan.KeyScanner;
import io.keyscan.KeyType;
import io.keyscan.Patterns;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The handlers behind {@link KeyRoutes}. Every request is checked before anything is sent to Redis: a missing or
 * refused pattern, an unknown type or a limit out of range is an {@link InvalidRequestException} (400).
 */
@Component
final class KeyEndpoints {

    /** Response header of the sorted listings: how many keys matched, before {@code limit}. */
    static final String TOTAL_HEADER = "Keys-Total";

    /** Response header of the sorted listings: {@code true} when {@code limit} cut the list short. */
    static final String TRUNCATED_HEADER = "Keys-Truncated";

    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 100_000;

    private final KeyScanner scanner;
    private final PatternPolicy patterns;
    private final String requestPattern;

    KeyEndpoints(KeyScanner scanner, ExamplesProperties properties) {
        this.scanner = scanner;
        this.patterns = new PatternPolicy(properties.allowedPrefix());
        this.requestPattern = checkRequestPattern(properties.requestPattern(), patterns);
    }

    /** {@code GET /keys?pattern=...[&type=...]}: NDJSON, one JSON string per key, as SCAN finds them. */
    Mono<ServerResponse> streamKeys(ServerRequest request) {
        String pattern = pattern(request);
        Optional<KeyType> type = type(request);
        Flux<String> keys = type.isPresent() ? scanner.scan(pattern, type.get()) : scanner.scan(pattern);
        return NdjsonStreams.stream(keys, "keys matching " + PatternPolicy.quote(pattern));
    }

    /** {@code GET /keys/sorted?pattern=...[&limit=...][&type=...]}: a sorted, distinct JSON array. */
    Mono<ServerResponse> sortedKeys(ServerRequest request) {
        String pattern = pattern(request);
        int limit = limit(request);
        Optional<KeyType> type = type(request);
        return sorted(type.isPresent() ? scanner.fetchKeys(pattern, type.get()) : scanner.fetchKeys(pattern), limit);
    }

    /** {@code GET /keys/values?pattern=...}: NDJSON, one {@code {"key": ..., "value": ...}} per string key. */
    Mono<ServerResponse> streamValues(ServerRequest request) {
        String pattern = pattern(request);
        Flux<KeyValueLine> values = scanner.scanValues(pattern)
                .map(pair -> new KeyValueLine(pair.key(), pair.value()));
        return NdjsonStreams.stream(values, "values of keys matching " + PatternPolicy.quote(pattern));
    }

    /**
     * {@code GET /requests/{requestId}/keys[?limit=...]}: the keys of one request, as {@code /keys/sorted} answers.
     * The id is escaped, so it matches only itself: an id of {@code *} lists the keys of the request whose id is
     * literally {@code *}, not every request's.
     */
    Mono<ServerResponse> requestKeys(ServerRequest request) {
        String requestId = request.pathVariable("requestId");
        String pattern = patterns.check(requestPattern.replace(ExamplesProperties.REQUEST_ID,
                Patterns.escape(requestId)));
        return sorted(scanner.fetchKeys(pattern), limit(request));
    }

    private static Mono<ServerResponse> sorted(Mono<List<String>> listing, int limit) {
        return listing.flatMap(keys -> {
            boolean truncated = keys.size() > limit;
            List<String> answer = truncated ? List.copyOf(keys.subList(0, limit)) : keys;
            return ServerResponse.ok()
                    .contentType(MediaType.APPLICATION_JSON)
                    .header(TOTAL_HEADER, Integer.toString(keys.size()))
                    .header(TRUNCATED_HEADER, Boolean.toString(truncated))
                    .bodyValue(answer);
        });
    }

    private String pattern(ServerRequest request) {
        String pattern = request.queryParam("pattern").orElseThrow(() -> new InvalidRequestException(
                "query parameter 'pattern' is required, e.g. pattern="
                        + Patterns.escape(patterns.allowedPrefix()) + "*"));
        return patterns.check(pattern);
    }

    private static Optional<KeyType> type(ServerRequest request) {
        Optional<String> name = request.queryParam("type");
        if (name.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(KeyType.of(name.get()));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("query parameter 'type': " + e.getMessage(), e);
        }
    }

    private static int limit(ServerRequest request) {
        Optional<String> text = request.queryParam("limit");
        if (text.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        String problem = "query parameter 'limit' must be a whole number from 1 to " + MAX_LIMIT + ", was "
                + PatternPolicy.quote(text.get());
        int limit;
        try {
            limit = Integer.parseInt(text.get().trim());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(problem, e);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidRequestException(problem);
        }
        return limit;
    }

    /** Fails at startup, naming the setting, when the request pattern cannot work. */
    private static String checkRequestPattern(String template, PatternPolicy patterns) {
        Objects.requireNonNull(template, "keyscan.examples.request-pattern");
        int first = template.indexOf(ExamplesProperties.REQUEST_ID);
        if (first < 0 || first != template.lastIndexOf(ExamplesProperties.REQUEST_ID)) {
            throw new IllegalArgumentException("keyscan.examples.request-pattern must contain "
                    + ExamplesProperties.REQUEST_ID + " exactly once, was " + PatternPolicy.quote(template));
        }
        try {
            patterns.check(template.replace(ExamplesProperties.REQUEST_ID, "id"));
        } catch (InvalidRequestException e) {
            throw new IllegalArgumentException("keyscan.examples.request-pattern " + PatternPolicy.quote(template)
                    + " does not keep to keyscan.examples.allowed-prefix: " + e.getMessage(), e);
        }
        return template;
    }
}
