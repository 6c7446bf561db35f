package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanOptions;
import io.keyscan.testkit.RailsPerformanceDataset;
import io.keyscan.testkit.RailsPerformanceDataset.Entry;
import io.keyscan.testkit.RedisExtension;
import io.keyscan.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.test.StepVerifier;

/**
 * Both paths give the same sorted, distinct answer, equal to the data set, for the rails_performance query
 * shapes on 100, 1,000 and 10,000 keys.
 */
@ExtendWith(RedisExtension.class)
class KeysVersusScanIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final RedisServer redis;

    KeysVersusScanIT(RedisServer redis) {
        this.redis = redis;
    }

    record Query(String name, String pattern, Predicate<Entry> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> datasetsAndQueries() {
        List<Arguments> arguments = new ArrayList<>();
        for (int size : new int[] {100, 1_000, 10_000}) {
            RailsPerformanceDataset dataset = RailsPerformanceDataset.generate(size, size);
            String requestId = dataset.someRequestId(size / 2);
            List<Query> queries = List.of(
                    new Query("date-scoped", RailsPerformanceDataset.dateQuery("20260204"),
                            e -> e.kind().equals("performance") && e.day().equals("20260204")),
                    new Query("request-id lookup", RailsPerformanceDataset.requestQuery(requestId),
                            e -> e.kind().equals("performance") && e.requestId().equals(requestId)),
                    new Query("broad controller", RailsPerformanceDataset.controllerQuery("UsersController"),
                            e -> e.kind().equals("performance") && e.controller().equals("UsersController")),
                    new Query("match-all", "*", e -> true),
                    new Query("no match", "performance|controller|NoSuchController|*", e -> false));
            for (Query query : queries) {
                arguments.add(Arguments.of(size, dataset, query));
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest(name = "{0} keys, {2}")
    @MethodSource("datasetsAndQueries")
    void bothPathsReturnTheDataSet(int size, RailsPerformanceDataset dataset, Query query) {
        if (redis.admin().dbsize() != size || !redis.admin().exists(dataset.keys().get(0)).equals(1L)) {
            redis.flushAll();
            dataset.load(redis);
        }
        List<String> expected = dataset.sortedKeys(query.expected());
        if (query.name().equals("request-id lookup")) {
            assertThat(expected).hasSize(1);
        }

        KeyScanOptions keysPath = KeyScanOptions.defaults();
        KeyScanOptions scanPath = KeyScanOptions.builder().useScan(true).build();
        try (ScannerFixture keys = new ScannerFixture(redis, keysPath);
                ScannerFixture scan = new ScannerFixture(redis, scanPath)) {

            StepVerifier.create(keys.scanner.fetchKeys(query.pattern()))
                    .expectNext(expected)
                    .expectComplete()
                    .verify(WAIT);
            StepVerifier.create(scan.scanner.fetchKeys(query.pattern()))
                    .expectNext(expected)
                    .expectComplete()
                    .verify(WAIT);
            StepVerifier.create(keys.scanner.keys(query.pattern()).map(KeysVersusScanIT::sorted))
                    .expectNext(expected)
                    .expectComplete()
                    .verify(WAIT);
            StepVerifier.create(scan.scanner.scan(query.pattern()).collectList().map(KeysVersusScanIT::sorted))
                    .expectNext(expected)
                    .expectComplete()
                    .verify(WAIT);
        }
    }

    private static List<String> sorted(List<String> keys) {
        List<String> copy = new ArrayList<>(keys);
        copy.sort(null);
        return copy;
    }
}
