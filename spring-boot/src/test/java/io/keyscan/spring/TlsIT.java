package io.keyscan.spring;

import static io.keyscan.spring.KeyScanValidationTest.messages;
import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanner;
import io.keyscan.testkit.LocalRedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * TLS as Spring Boot configures it ({@code spring.data.redis.ssl.*} with an SSL bundle trusting a private CA) reaches
 * keyscan's connection, against a TLS-only server with a throwaway CA.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsIT {

    private static final Duration WAIT = Duration.ofMinutes(1);

    private LocalRedisServer server;
    private final List<String> keys = new ArrayList<>();

    @BeforeAll
    void start() {
        server = LocalRedisServer.builder().tls().start();
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            String key = String.format("tls:%03d", i);
            keys.add(key);
            values.put(key, "v");
        }
        server.admin().mset(values);
        keys.sort(null);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, DataRedisAutoConfiguration.class,
                        KeyScanAutoConfiguration.class))
                .withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + server.port());
    }

    @Test
    void anSslBundleTrustingThePrivateCaIsUsedOnBothPaths() {
        for (String useScan : List.of("false", "true")) {
            runner().withPropertyValues("spring.ssl.bundle.pem.redis.truststore.certificate=file:"
                            + server.certificates().caCertificate().toAbsolutePath(),
                            "spring.data.redis.ssl.enabled=true", "spring.data.redis.ssl.bundle=redis",
                            "keyscan.use-scan=" + useScan)
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        assertThat(context.getBean(KeyScanner.class).fetchKeys("tls:*").block(WAIT))
                                .as("use-scan=%s", useScan).isEqualTo(keys);
                    });
        }
    }

    @Test
    void withoutTrustingTheCaStartupFailsNamingTheServer() {
        runner().withPropertyValues("spring.data.redis.ssl.enabled=true").run(context -> {
            assertThat(context).hasFailed();
            assertThat(messages(context.getStartupFailure()))
                    .contains("keyscan could not open its connection to Redis at 127.0.0.1:" + server.port())
                    .contains("The TLS handshake failed: PKIX path building failed")
                    .contains("The server's certificate is not trusted")
                    .contains("spring.data.redis.ssl.bundle=<name>");
        });
    }
}
