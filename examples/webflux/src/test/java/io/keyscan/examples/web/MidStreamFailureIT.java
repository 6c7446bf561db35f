package io.keyscan.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.RailsPerformanceDataset;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.netty.http.client.PrematureCloseException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Redis fails after {@code GET /keys} has started answering: the 200 is on the wire, so the stream ends with an
 * error line and the connection closes without the terminating chunk, which the client sees as an incomplete
 * response, never as a shorter listing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class MidStreamFailureIT {

    static final int KEYS = 100_000;
    static final LocalRedisServer redis = LocalRedisServer.start();
    static List<String> expected;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void redisProperties(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.host", () -> redis.redisUri().getHost());
        registry.add("spring.data.redis.port", redis::port);
    }

    @BeforeAll
    static void load() {
        RailsPerformanceDataset dataset = RailsPerformanceDataset.generate(KEYS, 100);
        dataset.load(redis);
        expected = dataset.sortedKeys(entry -> entry.key().startsWith("performance|"));
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    @Test
    void aFailureMidStreamEndsWithAnErrorLineAndAnIncompleteResponse() {
        NdjsonReader reader = NdjsonReader.open(port, "/keys?pattern=performance%7C*");
        reader.request(1);
        Poll.until("the first chunk", Duration.ofSeconds(60), Duration.ofMillis(10), () -> reader.chunks.get() >= 1);
        assertThat(reader.status.get()).isEqualTo(200);

        redis.stop();
        reader.request(Long.MAX_VALUE);
        Poll.until("the end of the stream", Duration.ofMinutes(2), Duration.ofMillis(50), reader::done);

        assertThat(reader.completed).as("completed normally").isFalse();
        assertThat(reader.error.get()).isInstanceOf(PrematureCloseException.class);
        List<String> lines = List.copyOf(reader.lines);
        assertThat(lines.size()).as("lines before the failure").isBetween(2, expected.size() - 1);
        JsonMapper json = JsonMapper.builder().build();
        Set<String> matching = new HashSet<>(expected);
        for (String line : lines.subList(0, lines.size() - 1)) {
            String key = json.readValue(line, String.class);
            assertThat(matching.contains(key)).as("a matching key: %s", key).isTrue();
        }
        ErrorBody error = json.readValue(lines.get(lines.size() - 1), ErrorBody.class);
        assertThat(error.status()).isEqualTo(503);
        assertThat(error.error()).startsWith("Redis failed while listing keys: ")
                .contains("pattern 'performance|*'").contains("127.0.0.1:" + redis.port());
        assertThat(reader.partialBytes()).as("no line cut short").isZero();
    }
}
