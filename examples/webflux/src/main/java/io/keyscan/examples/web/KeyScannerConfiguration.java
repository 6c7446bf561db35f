package io.keyscan.examples.web;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.lettuce.LettuceKeyScanner;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The one place that makes the application's {@link KeyScanner}: from Spring Data Redis' connection properties
 * ({@code spring.data.redis.url}, or {@code .host}, {@code .port}, {@code .username}, {@code .password},
 * {@code .database}; default {@code localhost:6379}) and keyscan's {@code KEYSCAN_*} environment variables
 * ({@link KeyScanOptions#fromEnvironment()}). Everything else in the application only asks for a
 * {@code KeyScanner} bean, so keyscan's Spring Boot starter can replace this class: delete it and add the starter.
 *
 * <p>The scanner has its own Lettuce client, which fails commands at once while it is disconnected
 * ({@link ClientOptions.DisconnectedBehavior#REJECT_COMMANDS}) and reconnects in the background: with Redis down,
 * keyscan's retries (about a second with the default backoff) run out and the endpoints answer 503, instead of each
 * command waiting out its full timeout (15 s, four attempts) in Lettuce's queue.
 */
@Configuration(proxyBeanMethods = false)
class KeyScannerConfiguration {

    private static final Logger log = LoggerFactory.getLogger(KeyScannerConfiguration.class);

    @Bean(destroyMethod = "close")
    KeyScanner keyScanner(Environment environment) {
        RedisURI uri = redisUri(environment);
        KeyScanOptions options = KeyScanOptions.fromEnvironment();
        ClientOptions clientOptions = ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build();
        KeyScanner scanner = LettuceKeyScanner.create(uri, clientOptions, options);
        // host and port only: the URI may carry a password
        log.info("KeyScanner connected to {}:{} (useScan={})", uri.getHost(), uri.getPort(), options.useScan());
        return scanner;
    }

    static RedisURI redisUri(Environment environment) {
        String url = environment.getProperty("spring.data.redis.url");
        if (url != null && !url.isBlank()) {
            return RedisURI.create(url.trim());
        }
        RedisURI.Builder uri = RedisURI.builder()
                .withHost(environment.getProperty("spring.data.redis.host", "localhost"))
                .withPort(environment.getProperty("spring.data.redis.port", Integer.class, RedisURI.DEFAULT_REDIS_PORT))
                .withDatabase(environment.getProperty("spring.data.redis.database", Integer.class, 0));
        String password = environment.getProperty("spring.data.redis.password");
        if (password != null && !password.isEmpty()) {
            String username = environment.getProperty("spring.data.redis.username");
            if (username != null && !username.isEmpty()) {
                uri.withAuthentication(username, password);
            } else {
                uri.withPassword(password.toCharArray());
            }
        }
        return uri.build();
    }
}
