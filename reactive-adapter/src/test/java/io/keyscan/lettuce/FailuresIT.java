package io.keyscan.lettuce;

import static io.keyscan.lettuce.GuaranteesIT.writeKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyscan.KeyScanException;
import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanTimeoutException;
import io.keyscan.KeyScanner;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.LogCapture;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Faults induced for real on servers the tests start themselves (a paused, busy, frozen, restarted, loading or
 * vanished server, a killed connection, KEYS or SCAN refused, a wrong password). Every test asserts a complete answer or the exact error, never a
 * shorter list.
 */
class FailuresIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int KEYS = 3_000;
    private static final Pattern RETRY_CURSOR = Pattern.compile("SCAN of pattern '.*' on .* at cursor (\\d+) failed");

    /** Short timeouts so faults show quickly; a fixed COUNT so the walk has a known number of pages. */
    private static KeyScanOptions options(Duration timeout, int attempts) {
        return KeyScanOptions.builder()
                .useScan(true)
                .scanCountAutoTune(false)
                .scanCount(100)
                .commandTimeout(timeout)
                .retryMaxAttempts(attempts)
                .retryFirstBackoff(Duration.ofMillis(100))
                .retryMaxBackoff(Duration.ofMillis(500))
                .build();
    }

    private static List<String> cursorsRetried(LogCapture logs) {
        List<String> cursors = new ArrayList<>();
        for (String line : logs.warnings()) {
            Matcher m = RETRY_CURSOR.matcher(line);
            if (m.find() && line.contains("retrying")) {
                cursors.add(m.group(1));
            }
        }
        return cursors;
    }

    /**
     * Returns once a fresh connection's PING goes unanswered for 200 ms, i.e. the server is busy
     * in the command just fired. A raw socket, so no client is left with a queued reply.
     */
    private static void awaitServerUnresponsive(LocalRedisServer server) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 1_000);
                socket.setSoTimeout(200);
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                socket.getInputStream().read();
            } catch (SocketTimeoutException busy) {
                return;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos()); // not asleep yet: the command is on its way
        }
        throw new AssertionError("server on port " + server.port() + " never became busy");
    }

    private static void fireAndForget(LocalRedisServer server, String... command) {
        RedisClient client = RedisClient.create(server.redisUri());
        StatefulRedisConnection<String, String> connection = client.connect();
        CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8);
        for (int i = 1; i < command.length; i++) {
            args.add(command[i]);
        }
        connection.async().dispatch(CommandType.valueOf(command[0]), new StatusOutput<>(StringCodec.UTF8), args)
                .whenComplete((reply, error) -> {
                    connection.closeAsync();
                    client.shutdownAsync(0, 2, java.util.concurrent.TimeUnit.SECONDS);
                });
    }

    @Test
    void pausedServerTimesOutAndTheSameCursorIsRetried() {
        try (LocalRedisServer server = LocalRedisServer.start(); LogCapture logs = LogCapture.keyscan()) {
            List<String> data = writeKeys(server, "row11:", 0, KEYS);
            try (ScannerFixture fixture = new ScannerFixture(server, options(Duration.ofSeconds(1), 8))) {
                Set<String> seen = new HashSet<>();
                StepVerifier.create(fixture.scanner.scan("row11:*").doOnNext(seen::add), 0)
                        .thenRequest(500)
                        .expectNextCount(500)
                        .then(() -> server.admin().clientPause(3_000))
                        .thenRequest(Long.MAX_VALUE)
                        .thenConsumeWhile(key -> true)
                        .expectComplete()
                        .verify(WAIT);
                assertThat(seen).hasSameElementsAs(data);
            }
            List<String> retried = cursorsRetried(logs);
            assertThat(retried).as("retries logged with their cursor").isNotEmpty();
            assertThat(new HashSet<>(retried)).as("one cursor retried, never 0").hasSize(1).doesNotContain("0");
        }
    }

    @Test
    void serverBusyInDebugSleepIsWaitedOutWithRetries() {
        try (LocalRedisServer server = LocalRedisServer.start(); LogCapture logs = LogCapture.keyscan()) {
            List<String> data = writeKeys(server, "row11b:", 0, KEYS);
            try (ScannerFixture fixture = new ScannerFixture(server, options(Duration.ofMillis(700), 10))) {
                StepVerifier.create(fixture.scanner.scan("row11b:*"), 0)
                        .thenRequest(500)
                        .expectNextCount(500)
                        .then(() -> {
                            fireAndForget(server, "DEBUG", "SLEEP", "2");
                            // the remaining ~25 pages take a few ms: without this wait the walk can
                            // finish before the sleep even starts, and nothing is retried
                            awaitServerUnresponsive(server);
                        })
                        .thenRequest(Long.MAX_VALUE)
                        .expectNextCount(KEYS - 500)
                        .expectComplete()
                        .verify(WAIT);
            }
            assertThat(cursorsRetried(logs)).isNotEmpty();
            assertThat(data).hasSize(KEYS);
        }
    }

    @Test
    void exhaustedRetriesEndWithAnErrorNamingPatternCursorAttemptsAndTimeout() {
        try (LocalRedisServer server = LocalRedisServer.start()) {
            writeKeys(server, "row12:", 0, KEYS);
            try (ScannerFixture fixture = new ScannerFixture(server, options(Duration.ofMillis(300), 3))) {
                // fetchKeys: an error, never a partial list
                server.admin().clientPause(5_000);
                StepVerifier.create(fixture.scanner.fetchKeys("row12:*"))
                        .expectError(KeyScanTimeoutException.class)
                        .verify(WAIT);
                server.admin().ping(); // answered once the pause is over

                StepVerifier.create(fixture.scanner.scan("row12:*"), 0)
                        .thenRequest(500)
                        .expectNextCount(500)
                        .then(() -> server.admin().clientPause(4_000))
                        .thenRequest(Long.MAX_VALUE)
                        .thenConsumeWhile(key -> true)
                        .expectErrorSatisfies(error -> {
                            assertThat(error).isInstanceOf(KeyScanTimeoutException.class)
                                    .hasMessageMatching("SCAN of pattern 'row12:\\*' on 127\\.0\\.0\\.1:\\d+ at cursor "
                                            + "[1-9]\\d* failed after 3 attempts \\(command timeout 300 ms\\): .*");
                            KeyScanTimeoutException timeout = (KeyScanTimeoutException) error;
                            assertThat(timeout.attempts()).isEqualTo(3);
                            assertThat(timeout.timeout()).isEqualTo(Duration.ofMillis(300));
                            assertThat(timeout.pattern()).isEqualTo("row12:*");
                            assertThat(timeout.cursor()).isNotEqualTo("0");
                        })
                        .verify(WAIT);
            }
        }
    }

    @Test
    void masterReplicaConnectionsAreRefusedBecauseTheyMayScatterCursors() {
        try (LocalRedisServer server = LocalRedisServer.start()) {
            RedisClient client = RedisClient.create();
            try (var connection = io.lettuce.core.masterreplica.MasterReplica.connect(client, StringCodec.UTF8,
                    server.redisUri())) {
                assertThatThrownBy(() -> LettuceKeyScanner.create(connection, KeyScanOptions.defaults()))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("Master/Replica connection")
                        .hasMessageContaining("Pass a connection to one server");
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }

    @Test
    void killedConnectionReconnectsAndContinuesFromTheCursor() {
        try (LocalRedisServer server = LocalRedisServer.start(); LogCapture logs = LogCapture.keyscan()) {
            List<String> data = writeKeys(server, "row13:", 0, KEYS);
            server.resetStats();
            try (ScannerFixture fixture = new ScannerFixture(server, options(Duration.ofSeconds(5), 4))) {
                Set<String> seen = new HashSet<>();
                StepVerifier.create(fixture.scanner.scan("row13:*").doOnNext(seen::add), 0)
                        .thenRequest(1_000)
                        .expectNextCount(1_000)
                        .then(() -> assertThat(server.admin().clientKill(KillArgs.Builder.typeNormal().skipme()))
                                .isPositive())
                        .thenRequest(Long.MAX_VALUE)
                        .thenConsumeWhile(key -> true)
                        .expectComplete()
                        .verify(WAIT);
                assertThat(seen).hasSameElementsAs(data);
            }
            assertThat(logs.warnings()).noneMatch(line -> line.contains("changed during SCAN"));
            // one walk (KEYS / COUNT pages, about 30), not a second one from cursor 0
            assertThat(server.commandStats("scan").calls()).isLessThan(45);
        }
    }

    @Test
    void restartedServerIsDetectedAndRescannedWithoutDuplicates() {
        try (LocalRedisServer server = LocalRedisServer.start(); LogCapture logs = LogCapture.keyscan()) {
            List<String> data = writeKeys(server, "row14:", 0, KEYS);
            server.save();
            try (ScannerFixture fixture = new ScannerFixture(server, options(Duration.ofSeconds(5), 6))) {
                List<String> seen = new ArrayList<>();
                StepVerifier.create(fixture.scanner.scan("row14:*").doOnNext(seen::add), 0)
                        .thenRequest(1_000)
                        .expectNextCount(1_000)
                        .then(() -> server.restart(true)) // SIGTERM without saving, then start on the saved data
                        .thenRequest(Long.MAX_VALUE)
                        .thenConsumeWhile(key -> true)
                        .expectComplete()
                        .verify(WAIT);
                assertThat(seen).doesNotHaveDuplicates().hasSameElementsAs(data);
            }
            assertThat(logs.warnings()).anyMatch(line -> line.contains("changed during SCAN")
                    && line.contains("scanned again from cursor 0"));
        }
    }

    @Test
    void scanQueuedWhileTheServerWasDownAndReplayedToTheNewProcessIsDetected() {
        try (LocalRedisServer server = LocalRedisServer.start(); LogCapture logs = LogCapture.keyscan()) {
            List<String> data = writeKeys(server, "row14b:", 0, KEYS);
            server.save();
            try (ScannerFixture fixture = new ScannerFixture(server, options(Duration.ofSeconds(10), 4))) {
                List<String> seen = new ArrayList<>();
                StepVerifier.create(fixture.scanner.scan("row14b:*").doOnNext(seen::add), 0)
                        .thenRequest(1_000)
                        .expectNextCount(1_000)
                        .then(server::kill)
                        // Lettuce queues this SCAN, with the old process' cursor, until it reconnects, then replays
                        // it to the new process: no error reaches keyscan, only a new connection epoch.
                        .thenRequest(Long.MAX_VALUE)
                        .then(() -> server.startAgain(true))
                        .thenConsumeWhile(key -> true)
                        .expectComplete()
                        .verify(WAIT);
                assertThat(seen).doesNotHaveDuplicates().hasSameElementsAs(data);
            }
            assertThat(logs.warnings()).anyMatch(line -> line.contains("changed during SCAN"));
            assertThat(cursorsRetried(logs)).as("detected by the connection epoch, not by a retry").isEmpty();
        }
    }

    @Test
    void frozenProcessTimesOutAndIsRetriedUntilItResumes() {
        try (LocalRedisServer server = LocalRedisServer.start(); LogCapture logs = LogCapture.keyscan()) {
            List<String> data = writeKeys(server, "row15:", 0, KEYS);
            try (ScannerFixture fixture = new ScannerFixture(server, options(Duration.ofMillis(500), 10))) {
                Set<String> seen = new HashSet<>();
                StepVerifier.create(fixture.scanner.scan("row15:*").doOnNext(seen::add), 0)
                        .thenRequest(500)
                        .expectNextCount(500)
                        .then(() -> {
                            server.pause();
                            Mono.delay(Duration.ofMillis(1_500), Schedulers.boundedElastic())
                                    .subscribe(tick -> server.resume());
                        })
                        .thenRequest(Long.MAX_VALUE)
                        .thenConsumeWhile(key -> true)
                        .expectComplete()
                        .verify(WAIT);
                assertThat(seen).hasSameElementsAs(data);
            } finally {
                server.resume();
            }
            assertThat(cursorsRetried(logs)).isNotEmpty();
        }
    }

    @Test
    void serverGoneForGoodIsAnErrorWithinTheRetryBudget() {
        try (LocalRedisServer server = LocalRedisServer.start()) {
            writeKeys(server, "row16:", 0, KEYS);
            KeyScanOptions options = options(Duration.ofMillis(300), 3);
            try (ScannerFixture scan = new ScannerFixture(server, options);
                    ScannerFixture keys = new ScannerFixture(server, options.mutate().useScan(false).build())) {
                StepVerifier.create(scan.scanner.scan("row16:*"), 0)
                        .thenRequest(500)
                        .expectNextCount(500)
                        .then(server::kill)
                        .thenRequest(Long.MAX_VALUE)
                        .thenConsumeWhile(key -> true)
                        .expectError(KeyScanException.class)
                        .verify(Duration.ofSeconds(15));
                StepVerifier.create(scan.scanner.fetchKeys("row16:*"))
                        .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                                .hasMessageContaining("after 3 attempts"))
                        .verify(Duration.ofSeconds(15));
                // KEYS that timed out is not retried: the server may still be running it
                StepVerifier.create(keys.scanner.fetchKeys("row16:*"))
                        .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanTimeoutException.class)
                                .hasMessageMatching("KEYS of pattern 'row16:\\*' on .+ got no reply .*")
                                .hasMessageContaining("is not retried"))
                        .verify(Duration.ofSeconds(15));
            }
        }
    }

    @Test
    void loadingServerIsRetriedWithBackoffUntilLoaded() {
        // 60,000 keys with random 230-byte values (a 15 MB RDB file, random so compression cannot shrink it)
        // loaded at 50 us a key: about 3 s of LOADING after the restart. A loading server answers clients only
        // between chunks of the file: every 2 MB on Redis 6.2, every 64 kB here on Redis 7+.
        LocalRedisServer.Builder builder = LocalRedisServer.builder().arg("--key-load-delay", "50");
        if (io.keyscan.testkit.RedisBinary.find().majorVersion() >= 7) {
            builder.arg("--loading-process-events-interval-bytes", "65536");
        }
        try (LocalRedisServer server = builder.start(); LogCapture logs = LogCapture.keyscan()) {
            // large values, so that loading the snapshot takes long enough to be seen
            java.util.Random random = new java.util.Random(17);
            List<String> data = writeKeys(server, "row17:", 0, 60_000,
                    i -> new java.math.BigInteger(1200, random).toString(36));
            server.save();
            server.restart(false);
            // up to 100 attempts, about 50 s of backoff: loading took longer than 40 attempts' 20 s once on Redis 8.6
            // with the machine loaded
            KeyScanOptions options = options(Duration.ofSeconds(5), 100).mutate().scanCount(1000).build();
            try (ScannerFixture fixture = new ScannerFixture(server, options)) {
                StepVerifier.create(fixture.scanner.fetchKeys("row17:*"))
                        .expectNext(data)
                        .expectComplete()
                        .verify(WAIT);
            }
            assertThat(logs.warnings()).anyMatch(line -> line.contains("retrying") && line.contains("LOADING"));
        }
    }

    @Test
    void keysRenamedAwayIsPassedOnAtOnceWithTheHintAndScanStillWorks() {
        try (LocalRedisServer server = LocalRedisServer.builder().arg("--rename-command", "KEYS", "").start()) {
            List<String> data = writeKeys(server, "row18:", 0, 100);
            try (ScannerFixture keys = new ScannerFixture(server, KeyScanOptions.defaults());
                    ScannerFixture scan = new ScannerFixture(server, options(Duration.ofSeconds(5), 4))) {
                StepVerifier.create(keys.scanner.fetchKeys("row18:*"))
                        .expectErrorSatisfies(error -> {
                            assertThat(error).isInstanceOf(KeyScanException.class)
                                    .hasMessageContaining("unknown command")
                                    .hasMessageContaining("KEYS is unavailable on this server")
                                    .hasMessageContaining("useScan = true");
                            assertThat(((KeyScanException) error).attempts()).isEqualTo(1);
                        })
                        .verify(WAIT);
                StepVerifier.create(scan.scanner.fetchKeys("row18:*")).expectNext(data).expectComplete().verify(WAIT);
            }
        }
    }

    @Test
    void keysDeniedByAclIsPassedOnAtOnceAndScanStillWorks() {
        try (LocalRedisServer server = LocalRedisServer.start()) {
            List<String> data = writeKeys(server, "row18acl:", 0, 100);
            server.admin().aclSetuser("app", io.lettuce.core.AclSetuserArgs.Builder.on().addPassword("app-pw-1")
                    .allKeys().allCommands().removeCommand(io.lettuce.core.protocol.CommandType.KEYS));
            RedisURI app = RedisURI.builder(server.redisUri()).withAuthentication("app", "app-pw-1").build();
            try (KeyScanner keys = LettuceKeyScanner.create(app, KeyScanOptions.defaults());
                    KeyScanner scan = LettuceKeyScanner.create(app, options(Duration.ofSeconds(5), 4))) {
                StepVerifier.create(keys.fetchKeys("row18acl:*"))
                        .expectErrorSatisfies(error -> {
                            assertThat(error).isInstanceOf(KeyScanException.class)
                                    .hasMessageContaining("NOPERM")
                                    .hasMessageContaining("KEYS is unavailable on this server");
                            assertThat(((KeyScanException) error).attempts()).isEqualTo(1);
                        })
                        .verify(WAIT);
                StepVerifier.create(scan.fetchKeys("row18acl:*")).expectNext(data).expectComplete().verify(WAIT);
            }
        }
    }

    @Test
    void scanDeniedByAclIsNotRetried() {
        try (LocalRedisServer server = LocalRedisServer.start()) {
            writeKeys(server, "row18scan:", 0, 10);
            server.admin().aclSetuser("noscan", io.lettuce.core.AclSetuserArgs.Builder.on().addPassword("noscan-pw")
                    .allKeys().allCommands().removeCommand(io.lettuce.core.protocol.CommandType.SCAN));
            RedisURI user = RedisURI.builder(server.redisUri()).withAuthentication("noscan", "noscan-pw").build();
            try (KeyScanner scan = LettuceKeyScanner.create(user, options(Duration.ofSeconds(5), 4))) {
                StepVerifier.create(scan.fetchKeys("row18scan:*"))
                        .expectErrorSatisfies(error -> {
                            assertThat(error).isInstanceOf(KeyScanException.class).hasMessageContaining("NOPERM")
                                    .hasMessageContaining("not retried");
                            assertThat(((KeyScanException) error).attempts()).isEqualTo(1);
                        })
                        .verify(WAIT);
            }
        }
    }

    @Test
    void wrongPasswordFailsAtOnceAndNoPasswordIsEverLoggedOrShown() {
        String right = "right-pw-7f3a9c";
        String wrong = "wrong-pw-51d2e8";
        try (LocalRedisServer server = LocalRedisServer.builder().arg("--requirepass", right).start()) {
            // the admin connection has no password: give it one for the set-up
            RedisURI good = RedisURI.builder(server.redisUri()).withPassword(right.toCharArray()).build();
            RedisURI bad = RedisURI.builder(server.redisUri()).withPassword(wrong.toCharArray()).build();
            try (LogCapture logs = LogCapture.everything()) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> LettuceKeyScanner.create(bad, KeyScanOptions.defaults()))
                        .isInstanceOf(RedisConnectionException.class)
                        .satisfies(error -> assertThat(chainText(error)).contains("WRONGPASS")
                                .doesNotContain(wrong).doesNotContain(right));
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
                assertThatThrownBy(() -> LettuceKeyScanner.create(
                        "redis://:" + wrong + "@127.0.0.1:" + server.port(), KeyScanOptions.defaults()))
                        .satisfies(error -> assertThat(chainText(error)).contains("WRONGPASS").doesNotContain(wrong));

                try (KeyScanner scanner = LettuceKeyScanner.create(good, options(Duration.ofSeconds(5), 4))) {
                    StepVerifier.create(scanner.fetchKeys("*")).expectNext(List.of()).expectComplete().verify(WAIT);
                }
                assertThat(logs.messagesWithThrowables()).isNotEmpty()
                        .noneMatch(line -> line.contains(wrong) || line.contains(right));
            }
        }
    }

    private static String chainText(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            text.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
            for (Throwable suppressed : t.getSuppressed()) {
                text.append("suppressed ").append(suppressed).append('\n');
            }
        }
        return text.toString();
    }
}
