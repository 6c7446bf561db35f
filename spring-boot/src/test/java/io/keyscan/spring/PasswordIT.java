package io.keyscan.spring;

import static io.keyscan.spring.KeyScanValidationTest.messages;
import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanner;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.LogCapture;
import io.lettuce.core.AclSetuserArgs;
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
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Credentials and the database number reach keyscan's connection from {@code spring.data.redis.*}, both as separate
 * properties and in {@code spring.data.redis.url}, on a server of its own that requires a password (set with
 * {@code CONFIG SET requirepass} from the test's already open admin connection) and has an ACL user.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PasswordIT {

    private static final Duration WAIT = Duration.ofMinutes(1);
    private static final String PASSWORD = "default-Secr3t";
    private static final String USER = "app";
    private static final String USER_PASSWORD = "app-Secr3t";

    private LocalRedisServer server;
    private final List<String> database0 = new ArrayList<>();
    private final List<String> database1 = new ArrayList<>();

    @BeforeAll
    void start() {
        server = LocalRedisServer.start();
        Map<String, String> zero = new HashMap<>();
        Map<String, String> one = new HashMap<>();
        for (int i = 0; i < 500; i++) {
            String key0 = String.format("db0:%04d", i);
            String key1 = String.format("db1:%04d", i);
            database0.add(key0);
            database1.add(key1);
            zero.put(key0, "v");
            one.put(key1, "v");
        }
        database0.sort(null);
        database1.sort(null);
        server.admin().mset(zero);
        server.admin().select(1);
        server.admin().mset(one);
        server.admin().select(0);
        server.admin().aclSetuser(USER, AclSetuserArgs.Builder.on().addPassword(USER_PASSWORD).allKeys()
                .allCommands());
        server.admin().configSet("requirepass", PASSWORD); // the admin connection, open already, stays usable
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, KeyScanAutoConfiguration.class));
    }

    @Test
    void thePasswordPropertyIsUsedOnBothPaths() {
        for (String useScan : List.of("false", "true")) {
            runner().withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + server.port(),
                            "spring.data.redis.password=" + PASSWORD, "keyscan.use-scan=" + useScan)
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        assertThat(context.getBean(KeyScanner.class).fetchKeys("db*").block(WAIT))
                                .as("use-scan=%s", useScan).isEqualTo(database0);
                    });
        }
    }

    @Test
    void theUrlsUserPasswordAndDatabaseAreUsedOnBothPaths() {
        for (String useScan : List.of("false", "true")) {
            runner().withPropertyValues("spring.data.redis.url=redis://" + USER + ":" + USER_PASSWORD + "@127.0.0.1:"
                            + server.port() + "/1", "keyscan.use-scan=" + useScan)
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        assertThat(context.getBean(KeyScanner.class).fetchKeys("db*").block(WAIT))
                                .as("use-scan=%s", useScan).isEqualTo(database1);
                    });
        }
    }

    @Test
    void theDatabasePropertyIsUsed() {
        runner().withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + server.port(),
                        "spring.data.redis.username=" + USER, "spring.data.redis.password=" + USER_PASSWORD,
                        "spring.data.redis.database=1", "keyscan.use-scan=true")
                .run(context -> assertThat(context.getBean(KeyScanner.class).fetchKeys("db*").block(WAIT))
                        .isEqualTo(database1));
    }

    @Test
    void aWrongPasswordFailsStartupWithoutShowingAnyPassword() {
        String wrong = "wrong-Passw0rd";
        try (LogCapture logs = LogCapture.everything()) {
            runner().withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + server.port(),
                            "spring.data.redis.password=" + wrong)
                    .run(context -> {
                        assertThat(context).hasFailed();
                        String messages = messages(context.getStartupFailure());
                        assertThat(messages).contains("keyscan could not open its connection to Redis at 127.0.0.1:"
                                + server.port()).contains("WRONGPASS").doesNotContain(wrong).doesNotContain(PASSWORD);
                    });
            assertThat(logs.messagesWithThrowables())
                    .noneMatch(line -> line.contains(wrong) || line.contains(PASSWORD) || line.contains(USER_PASSWORD));
        }
    }
}
