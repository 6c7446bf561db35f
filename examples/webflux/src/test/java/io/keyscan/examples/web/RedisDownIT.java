package io.keyscan.examples.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.testkit.LocalRedisServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * With the Redis server stopped, every endpoint answers 503 with a JSON error saying Redis failed, never a 200 (empty
 * or not), the streaming ones included; once the server is back, they answer again.
 */
@SpringBootTest
@AutoConfigureWebTestClient(timeout = "PT60S")
@DirtiesContext
class RedisDownIT {

    static final LocalRedisServer redis = LocalRedisServer.start();

    static final List<String> ENDPOINTS = List.of(
            "/keys?pattern=performance%7C*",
            "/keys?pattern=performance%7C*&type=string",
            "/keys/sorted?pattern=performance%7C*",
            "/keys/values?pattern=performance%7C*",
            "/requests/abc/keys");

    @Autowired
    WebTestClient client;

    @DynamicPropertySource
    static void redisProperties(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.host", () -> redis.redisUri().getHost());
        registry.add("spring.data.redis.port", redis::port);
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    @Test
    void everyEndpointAnswers503WhileRedisIsDownAndAnswersAgainWhenItIsBack() {
        redis.admin().set("performance|a|request_id|abc|END", "1");
        for (String endpoint : ENDPOINTS) {
            client.get().uri(URI.create(endpoint)).exchange().expectStatus().isOk();
        }

        redis.stop();
        for (String endpoint : ENDPOINTS) {
            EntityExchangeResult<String> result = client.get().uri(URI.create(endpoint)).exchange()
                    .expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                    .expectBody(String.class).returnResult();
            ErrorBody error = JsonMapper.builder().build().readValue(result.getResponseBody(), ErrorBody.class);
            assertThat(error.status()).as(endpoint).isEqualTo(503);
            assertThat(error.error()).as(endpoint)
                    .startsWith("Redis failed while listing keys: ")
                    .contains("127.0.0.1:" + redis.port())
                    .containsPattern("pattern 'performance\\|\\*(\\|request_id\\|abc\\|\\*)?'");
        }

        redis.startAgain(true);
        // Lettuce reconnects in the background, with a growing delay between attempts: poll, bounded.
        Poll.until("the endpoints to answer again after Redis came back", Duration.ofSeconds(90),
                Duration.ofMillis(200), () -> client.get().uri(URI.create("/keys/sorted?pattern=performance%7C*"))
                        .exchange().returnResult(String.class).getStatus().is2xxSuccessful());
        for (String endpoint : ENDPOINTS) {
            client.get().uri(URI.create(endpoint)).exchange().expectStatus().isOk();
        }
    }
}
