package io.keyscan.examples.web;

import io.lettuce.core.ClientOptions;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code KeyScanner} bean comes from keyscan's Spring Boot starter, which opens its own connection through the
 * Lettuce client of Spring Data Redis' {@code LettuceConnectionFactory} (built from {@code spring.data.redis.*}):
 * this class only adjusts that client.
 *
 * <p>Commands fail at once while the client is disconnected ({@link ClientOptions.DisconnectedBehavior#REJECT_COMMANDS})
 * and Lettuce reconnects in the background: with Redis down, keyscan's retries (about a second with the default
 * backoff) run out and the endpoints answer 503, instead of each command waiting out its full timeout (15 s, four
 * attempts) in Lettuce's queue.
 */
@Configuration(proxyBeanMethods = false)
class RedisClientOptions {

    @Bean
    LettuceClientOptionsBuilderCustomizer rejectCommandsWhileDisconnected() {
        return options -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }
}
