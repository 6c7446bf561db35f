package io.keyscan.lettuce;

import static io.keyscan.lettuce.GuaranteesIT.writeKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyscan.KeyScanException;
import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.testkit.LocalRedisSentinel;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.LogCapture;
import io.keyscan.testkit.RedisSentinelExtension;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

/**
 * Listings through Redis Sentinel on a real deployment (a master, a replica, three Sentinels): the master is found
 * through the Sentinels, and a failover ({@code SENTINEL FAILOVER}) or a master killed with {@code kill -9} in the
 * middle of a listing is followed to the new master, on both paths; every key is listed, or the listing fails with
 * an error naming the master set, never a shorter list.
 */
@ExtendWith(RedisSentinelExtension.class)
class SentinelIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int KEYS = 20_000;
    private static final String MASTER_SET = "sentinel master set 'mymaster'";

    private final LocalRedisSentinel sentinel;

    SentinelIT(LocalRedisSentinel sentinel) {
        this.sentinel = sentinel;
    }

    /** Room for a failover: at least ~8 s of retries (20 attempts, backoff up to 1 s, jittered into its upper half). */
    private static KeyScanOptions options(boolean useScan) {
        return KeyScanOptions.builder()
                .useScan(useScan)
                .scanCountAutoTune(false)
                .scanCount(100)
                .commandTimeout(Duration.ofSeconds(2))
                .retryMaxAttempts(20)
                .retryFirstBackoff(Duration.ofMillis(100))
                .retryMaxBackoff(Duration.ofSeconds(1))
                .build();
    }

    /** Fresh keys on the master, acknowledged by the replica ({@code WAIT}), sorted. */
    private List<String> load(String prefix) {
        LocalRedisServer master = sentinel.master();
        master.flushAll();
        List<String> keys = writeKeys(master, prefix, 0, KEYS);
        master.admin().set("other:1", "v");
        assertThat(master.admin().waitForReplication(1, 5000)).as("the replica has the writes").isEqualTo(1);
        return keys;
    }

    private static void assertExactly(List<String> listed, List<String> expected) {
        assertThat(listed).doesNotHaveDuplicates();
        assertThat(new TreeSet<>(listed)).containsExactlyElementsOf(expected);
    }

    private static void assertServerChangeLogged(LogCapture logs) {
        assertThat(logs.warnings()).anyMatch(line -> line.contains("changed during SCAN")
                && line.contains(MASTER_SET) && line.contains("scanned again from cursor 0"));
    }

    @Test
    void aSentinelUriListsTheMasterOnBothPaths() {
        List<String> keys = load("sentinel-both:");
        LocalRedisServer master = sentinel.master();
        LocalRedisServer replica = sentinel.replica();
        master.resetStats();
        replica.resetStats();
        try (KeyScanner scan = LettuceKeyScanner.create(sentinel.uri(), options(true));
                KeyScanner keysPath = LettuceKeyScanner.create(sentinel.redisUri(), options(false))) {
            assertThat(scan.fetchKeys("sentinel-both:*").block(WAIT)).isEqualTo(keys);
            assertThat(keysPath.fetchKeys("sentinel-both:*").block(WAIT)).isEqualTo(keys);
        }
        assertThat(master.commandStats("scan").calls()).isPositive();
        assertThat(master.commandStats("keys").calls()).isEqualTo(1);
        assertThat(replica.commandStats("scan").calls()).isZero();
        assertThat(replica.commandStats("keys").calls()).isZero();
    }

    @Test
    void scanGoesOnOnTheNewMasterAfterAManualFailover() {
        List<String> keys = load("sentinel-failover:");
        try (LogCapture logs = LogCapture.keyscan();
                KeyScanner scanner = LettuceKeyScanner.create(sentinel.redisUri(), options(true))) {
            List<String> seen = new ArrayList<>();
            StepVerifier.create(scanner.scan("sentinel-failover:*").doOnNext(seen::add), 0)
                    .thenRequest(5_000)
                    .expectNextCount(5_000)
                    .then(sentinel::failover)
                    .thenRequest(Long.MAX_VALUE)
                    .thenConsumeWhile(key -> true)
                    .expectComplete()
                    .verify(WAIT);
            assertExactly(seen, keys);
            assertServerChangeLogged(logs);
        }
    }

    @Test
    void scanGoesOnOnTheNewMasterAfterTheMasterIsKilled() {
        List<String> keys = load("sentinel-kill:");
        try (LogCapture logs = LogCapture.keyscan();
                KeyScanner scanner = LettuceKeyScanner.create(sentinel.redisUri(), options(true))) {
            List<String> seen = new ArrayList<>();
            StepVerifier.create(scanner.scan("sentinel-kill:*").doOnNext(seen::add), 0)
                    .thenRequest(5_000)
                    .expectNextCount(5_000)
                    // kill -9, and the rest is asked for at once: while the Sentinels still name the dead master
                    .then(() -> sentinel.master().kill())
                    .thenRequest(Long.MAX_VALUE)
                    .thenConsumeWhile(key -> true)
                    .expectComplete()
                    .verify(WAIT);
            assertExactly(seen, keys);
            assertServerChangeLogged(logs);
            assertThat(logs.warnings()).as("SCAN retried while the master was being replaced")
                    .anyMatch(line -> line.contains("retrying") && line.contains(MASTER_SET));
        }
    }

    @Test
    void keysAfterAManualFailoverIsAnsweredByTheNewMaster() {
        List<String> keys = load("sentinel-keys-failover:");
        try (KeyScanner scanner = LettuceKeyScanner.create(sentinel.redisUri(), options(false))) {
            assertThat(scanner.fetchKeys("sentinel-keys-failover:*").block(WAIT)).isEqualTo(keys);
            LocalRedisServer promoted = sentinel.failover(); // the scanner's connection to the old master is closed
            promoted.resetStats();
            assertThat(scanner.fetchKeys("sentinel-keys-failover:*").block(WAIT)).isEqualTo(keys);
            assertThat(promoted.commandStats("keys").calls()).isEqualTo(1);
        }
    }

    @Test
    void keysWhileTheMasterIsKilledIsRetriedUntilTheNewMasterAnswers() {
        List<String> keys = load("sentinel-keys-kill:");
        try (LogCapture logs = LogCapture.keyscan();
                KeyScanner scanner = LettuceKeyScanner.create(sentinel.redisUri(), options(false))) {
            assertThat(scanner.fetchKeys("sentinel-keys-kill:*").block(WAIT)).isEqualTo(keys);
            LocalRedisServer replica = sentinel.replica();
            sentinel.master().kill(); // and KEYS sent at once, long before the Sentinels replace the master

            assertThat(scanner.fetchKeys("sentinel-keys-kill:*").block(WAIT)).isEqualTo(keys);

            assertThat(replica.infoField("replication", "role")).isEqualTo("master");
            assertThat(logs.warnings()).anyMatch(line -> line.startsWith("KEYS of pattern")
                    && line.contains(MASTER_SET) && line.contains("retrying"));
        }
    }

    @Test
    void aConnectionLettuceMadeThroughSentinelFollowsAFailover() {
        List<String> keys = load("sentinel-app:");
        RedisClient client = RedisClient.create(sentinel.redisUri());
        try (LogCapture logs = LogCapture.keyscan();
                StatefulRedisConnection<String, String> connection = client.connect();
                KeyScanner scanner = LettuceKeyScanner.create(connection, options(true))) {
            List<String> seen = new ArrayList<>();
            StepVerifier.create(scanner.scan("sentinel-app:*").doOnNext(seen::add), 0)
                    .thenRequest(5_000)
                    .expectNextCount(5_000)
                    .then(sentinel::failover)
                    .thenRequest(Long.MAX_VALUE)
                    .thenConsumeWhile(key -> true)
                    .expectComplete()
                    .verify(WAIT);
            assertExactly(seen, keys);
            assertThat(logs.warnings()).anyMatch(line -> line.contains("changed during SCAN"));
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void readFromReplicasListsOnAReplicaOnBothPaths() {
        List<String> keys = load("sentinel-replica:");
        LocalRedisServer master = sentinel.master();
        LocalRedisServer replica = sentinel.replica();
        master.resetStats();
        replica.resetStats();
        try (KeyScanner scan = LettuceKeyScanner.create(sentinel.redisUri(),
                        options(true).mutate().readFromReplicas(true).build());
                KeyScanner keysPath = LettuceKeyScanner.create(sentinel.redisUri(),
                        options(false).mutate().readFromReplicas(true).build())) {
            assertThat(scan.fetchKeys("sentinel-replica:*").block(WAIT)).isEqualTo(keys);
            assertThat(keysPath.fetchKeys("sentinel-replica:*").block(WAIT)).isEqualTo(keys);
        }
        assertThat(replica.commandStats("scan").calls()).isPositive();
        assertThat(replica.commandStats("keys").calls()).isEqualTo(1);
        assertThat(master.commandStats("scan").calls()).isZero();
        assertThat(master.commandStats("keys").calls()).isZero();
    }

    @Test
    void aReplicaKilledMidListingIsAnErrorNamingItAndTheMasterSet() {
        load("sentinel-replica-kill:");
        KeyScanOptions options = options(true).mutate().readFromReplicas(true).retryMaxAttempts(3).build();
        try (KeyScanner scanner = LettuceKeyScanner.create(sentinel.redisUri(), options)) {
            LocalRedisServer replica = sentinel.replica();
            StepVerifier.create(scanner.scan("sentinel-replica-kill:*"), 0)
                    .thenRequest(5_000)
                    .expectNextCount(5_000)
                    .then(replica::kill)
                    .thenRequest(Long.MAX_VALUE)
                    .thenConsumeWhile(key -> true)
                    .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                            .hasMessageContaining("127.0.0.1:" + replica.port() + " (replica of " + MASTER_SET + ")")
                            .hasMessageContaining("after 3 attempts"))
                    .verify(WAIT);
        }
    }

    @Test
    void sentinelsThatCannotBeReachedFailWithTheMasterSetAndNoPassword() {
        String secret = "data-secret-93f1";
        RedisURI nowhere = RedisURI.builder().withSentinelMasterId("orders")
                .withSentinel("127.0.0.1", 1, "sentinel-secret-4c2d")
                .withPassword(secret.toCharArray())
                .build();
        try (LogCapture logs = LogCapture.everything()) {
            assertThatThrownBy(() -> LettuceKeyScanner.create(nowhere, KeyScanOptions.defaults()))
                    .isInstanceOf(RedisConnectionException.class)
                    .hasMessageContaining("sentinel master set 'orders'")
                    .hasMessageContaining("127.0.0.1:1")
                    .satisfies(error -> assertThat(chainText(error)).doesNotContain(secret)
                            .doesNotContain("sentinel-secret-4c2d"));
            assertThatThrownBy(() -> LettuceKeyScanner.create(nowhere,
                    KeyScanOptions.builder().readFromReplicas(true).build()))
                    .isInstanceOf(RedisConnectionException.class)
                    .hasMessageContaining("replicas of sentinel master set 'orders'")
                    .satisfies(error -> assertThat(chainText(error)).doesNotContain(secret));
            assertThat(logs.messagesWithThrowables())
                    .noneMatch(line -> line.contains(secret) || line.contains("sentinel-secret-4c2d"));
        }
        assertThatThrownBy(() -> LettuceKeyScanner.create(RedisURI.builder().withSentinel("127.0.0.1", 1).build(),
                KeyScanOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must name the master set");
    }

    @Test
    void passwordsOnSentinelsAndDataNodesAreUsedAndNeverShown() {
        String data = "data-pw-7a1c";
        String sentinels = "sentinel-pw-2e9b";
        try (LocalRedisSentinel secured = LocalRedisSentinel.builder().dataPassword(data).sentinelPassword(sentinels)
                .start(); LogCapture logs = LogCapture.everything()) {
            List<String> keys = writeKeys(secured.master(), "secured:", 0, 100);
            RedisURI uri = secured.redisUri();
            try (KeyScanner master = LettuceKeyScanner.create(uri, options(true));
                    KeyScanner replica = LettuceKeyScanner.create(uri,
                            options(false).mutate().readFromReplicas(true).build())) {
                assertThat(master.fetchKeys("secured:*").block(WAIT)).isEqualTo(keys);
                secured.master().admin().waitForReplication(1, 5000);
                assertThat(replica.fetchKeys("secured:*").block(WAIT)).isEqualTo(keys);
            }
            RedisURI wrong = LettuceKeyScanner.copy(uri);
            wrong.setCredentialsProvider(io.lettuce.core.RedisCredentialsProvider.from(
                    () -> io.lettuce.core.RedisCredentials.just(null, "wrong-pw-51d2")));
            assertThatThrownBy(() -> LettuceKeyScanner.create(wrong, KeyScanOptions.defaults()))
                    .isInstanceOf(RedisConnectionException.class)
                    .hasMessageContaining(MASTER_SET)
                    .satisfies(error -> assertThat(chainText(error)).doesNotContain("wrong-pw-51d2")
                            .doesNotContain(data).doesNotContain(sentinels));
            assertThat(logs.messagesWithThrowables()).isNotEmpty()
                    .noneMatch(line -> line.contains(data) || line.contains(sentinels) || line.contains("wrong-pw-51d2"));
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
