package io.keyscan.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.testkit.RailsPerformanceDataset;
import io.keyscan.testkit.RedisServer;
import io.keyscan.testkit.RedisServers;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /keys} over a real connection, read slowly: the SCAN calls the server receives (counted by Redis, INFO
 * commandstats) follow the reader. While the reader stops, they stop far short of what the whole keyspace needs; as
 * it reads on, they go on; at the end every key has arrived once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class SlowReaderIT {

    static final int KEYS = 200_000;
    static final RedisServer redis = RedisServers.start();
    static List<String> expected;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void redisProperties(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.host", () -> redis.redisUri().getHost());
        registry.add("spring.data.redis.port", () -> redis.redisUri().getPort());
    }

    @BeforeAll
    static void load() {
        redis.flushAll();
        RailsPerformanceDataset dataset = RailsPerformanceDataset.generate(KEYS, 200);
        dataset.load(redis);
        expected = dataset.sortedKeys(entry -> entry.key().startsWith("performance|"));
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    @Test
    void scanCallsFollowTheReader() {
        redis.resetStats();
        NdjsonReader reader = NdjsonReader.open(port, "/keys?pattern=performance%7C*");
        reader.request(1);
        Poll.until("the first chunk", Duration.ofSeconds(60), Duration.ofMillis(10), () -> reader.chunks.get() >= 1);
        assertThat(reader.status.get()).isEqualTo(200);

        // The reader stops. The server fills the socket buffers, then stops asking Redis for keys.
        long paused = quiescentScanCalls();
        int linesWhilePaused = reader.lines.size();

        // The reader reads on, for half the keys (the server writes each line as a chunk of its own): SCAN calls go on.
        long half = expected.size() / 2;
        reader.request(half);
        Poll.until("the reader to read half the keys", Duration.ofMinutes(3), Duration.ofMillis(10),
                () -> reader.done() || reader.chunks.get() >= 1 + half);
        long halfway = scanCalls();
        int linesHalfway = reader.lines.size();
        assertThat(reader.done()).as("half the keys read, not all").isFalse();

        // The rest, at full speed.
        reader.request(Long.MAX_VALUE);
        Poll.until("the end of the stream", Duration.ofMinutes(3), Duration.ofMillis(50), reader::done);
        assertThat(reader.error.get()).isNull();
        long total = scanCalls();

        System.out.printf("SlowReaderIT: %,d keys in a keyspace of %,d; SCAN calls: %,d while the reader was paused "
                        + "(after %,d lines), %,d at %,d lines, %,d in all%n", expected.size(), KEYS, paused,
                linesWhilePaused, halfway, linesHalfway, total);

        assertThat(paused).as("SCAN calls while the reader was paused, of %d in all", total)
                .isGreaterThan(0).isLessThan(total / 2);
        assertThat(halfway).as("SCAN calls once the reader read on").isGreaterThan(paused);
        assertThat(total).isGreaterThanOrEqualTo(halfway);
        assertThat(linesWhilePaused).isLessThan(expected.size() / 10);

        JsonMapper json = JsonMapper.builder().build();
        List<String> keys = List.copyOf(reader.lines).stream().map(line -> json.readValue(line, String.class))
                .collect(Collectors.toList());
        assertThat(keys).hasSameSizeAs(expected);
        Set<String> distinct = new HashSet<>(keys);
        assertThat(distinct).hasSameSizeAs(keys); // each key once
        assertThat(distinct.equals(new HashSet<>(expected))).as("every matching key, and only those").isTrue();
        assertThat(reader.partialBytes()).isZero();
    }

    /**
     * The server's SCAN count once it has stopped changing: the same in ten readings 100 ms apart (a server that
     * buffered the keyspace would reach its end within that time many times over).
     */
    private long quiescentScanCalls() {
        long[] last = {-1};
        int[] same = {0};
        Poll.until("SCAN calls to stop while the reader is paused", Duration.ofSeconds(60), Duration.ofMillis(100),
                () -> {
                    long calls = scanCalls();
                    same[0] = calls == last[0] ? same[0] + 1 : 0;
                    last[0] = calls;
                    return same[0] >= 10;
                });
        return last[0];
    }

    private long scanCalls() {
        return redis.commandStats("scan").calls();
    }
}
