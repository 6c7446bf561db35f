package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.LogCapture;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A literal pattern is one EXISTS; it is timed out and retried like a SCAN, on a real server. */
class LiteralLookupIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static LocalRedisServer server;

    @BeforeAll
    static void start() {
        server = LocalRedisServer.start();
        server.admin().set("lit:exact", "1");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static KeyScanOptions options(boolean useScan) {
        return KeyScanOptions.builder().useScan(useScan).commandTimeout(Duration.ofMillis(500)).retryMaxAttempts(10)
                .retryFirstBackoff(Duration.ofMillis(100)).retryMaxBackoff(Duration.ofMillis(400)).build();
    }

    @Test
    void aLookupOnAPausedServerTimesOutAndIsRetriedUntilTheServerAnswers() {
        for (boolean useScan : new boolean[] {true, false}) {
            try (LogCapture logs = LogCapture.keyscan();
                    ScannerFixture fixture = new ScannerFixture(server, options(useScan))) {
                server.admin().clientPause(1_500);
                assertThat(fixture.scanner.fetchKeys("lit:exact").block(WAIT)).isEqualTo(List.of("lit:exact"));
                assertThat(logs.warnings()).as("useScan=" + useScan)
                        .anyMatch(line -> line.contains("EXISTS of pattern 'lit:exact'") && line.contains("retrying"));
            }
        }
    }

    @Test
    void aLookupOnAKilledConnectionIsRetriedOnceTheClientHasReconnected() {
        RedisClient client = RedisClient.create(server.redisUri());
        // Commands sent while disconnected fail at once instead of waiting for the reconnect, so it is keyscan's
        // retry, not Lettuce's queue, that brings the answer.
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
        try (StatefulRedisConnection<String, String> connection = client.connect();
                KeyScanner scanner = LettuceKeyScanner.create(connection, options(true))) {
            assertThat(scanner.fetchKeys("lit:exact").block(WAIT)).isEqualTo(List.of("lit:exact"));
            for (int round = 0; round < 5; round++) {
                server.admin().clientKill(KillArgs.Builder.typeNormal().skipme());
                assertThat(scanner.fetchKeys("lit:exact").block(WAIT)).as("round " + round)
                        .isEqualTo(List.of("lit:exact"));
                assertThat(scanner.fetchKeys("lit:missing").block(WAIT)).as("round " + round).isEmpty();
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
