package io.keyscan.examples.web;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The endpoints, as a functional router: each handler returns the {@code Mono<ServerResponse>} it decides on, which
 * lets the streaming ones wait for the listing's first signal before choosing the status ({@link NdjsonStreams}),
 * with no annotation processing between the request and the code that answers it.
 *
 * <ul>
 *   <li>{@code GET /keys?pattern=P[&type=T]}: NDJSON, one JSON string per key, streamed from SCAN at the client's
 *       pace;</li>
 *   <li>{@code GET /keys/sorted?pattern=P[&limit=N][&type=T]}: a sorted, distinct JSON array of at most {@code N}
 *       keys (default 1000, 1..100000); headers {@code Keys-Total} (keys matched) and {@code Keys-Truncated}.
 *       Sorting needs every matching key in memory at once; {@code /keys} is the endpoint for large listings;</li>
 *   <li>{@code GET /keys/values?pattern=P}: NDJSON, one {@code {"key": ..., "value": ...}} per string key;</li>
 *   <li>{@code GET /requests/{requestId}/keys[?limit=N]}: the keys of one request (the id escaped), as
 *       {@code /keys/sorted} answers.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class KeyRoutes {

    @Bean
    RouterFunction<ServerResponse> keyRouter(KeyEndpoints endpoints) {
        return route(GET("/keys"), endpoints::streamKeys)
                .andRoute(GET("/keys/sorted"), endpoints::sortedKeys)
                .andRoute(GET("/keys/values"), endpoints::streamValues)
                .andRoute(GET("/requests/{requestId}/keys"), endpoints::requestKeys);
    }
}
