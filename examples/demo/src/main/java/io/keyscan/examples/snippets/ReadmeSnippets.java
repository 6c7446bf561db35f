package io.keyscan.examples.snippets;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.KeyType;
import io.keyscan.KeyValue;
import io.keyscan.Patterns;
import io.keyscan.lettuce.LettuceKeyScanner;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The README's code. */
final class ReadmeSnippets {

    private ReadmeSnippets() {
    }

    static void quickStart(String requestId) {
        // tag::quick-start[]
        RedisClient client = RedisClient.create("redis://localhost:6379");
        StatefulRedisConnection<String, String> connection = client.connect();

        // KEYSCAN_USE_SCAN=true in the environment switches to SCAN; =false rolls back. No code change.
        KeyScanner scanner = LettuceKeyScanner.create(connection, KeyScanOptions.fromEnvironment());

        // Sorted and distinct, whichever command ran:
        Mono<List<String>> day = scanner.fetchKeys("performance|*datetime|20260204*|*END|1.0.2");

        // Streamed with backpressure, e.g. to a slow HTTP client; SCAN pages are pulled as the client reads:
        Flux<String> all = scanner.scan("performance|*");

        // User input spliced into a pattern must be escaped, or "*" lists everything:
        Mono<List<String>> one = scanner.fetchKeys("performance|*|request_id|" + Patterns.escape(requestId) + "|*");
        // end::quick-start[]
    }

    static void typesAndValues(KeyScanner scanner) {
        // tag::types-and-values[]
        // Only hashes (SCAN's TYPE argument on Redis 6.0+, TYPE calls on older servers and on the KEYS path):
        Mono<List<String>> hashes = scanner.fetchKeys("session:*", KeyType.of("hash"));

        // Keys with their string values, read with MGET in batches (per hash slot on a cluster);
        // keys deleted between listing and reading are left out, never returned with a null value:
        Flux<KeyValue> streamed = scanner.scanValues("performance|*");
        Mono<List<KeyValue>> sortedByKey = scanner.fetchValues("performance|*");
        // end::types-and-values[]
    }
}
