package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.KeyType;
import io.keyscan.testkit.LocalRedisServer;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.ArrayOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A type-filtered listing sends SCAN's TYPE argument from its first call on, so the server never looks at keys of
 * other types, and does not lazily expire them either (no DEL in the replication stream, no keyspace event), where
 * the server's own {@code SCAN ... TYPE} leaves them alone.
 */
class TypeArgumentIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> HASHES = List.of("tp:h1", "tp:h2", "tp:h3", "tp:h4", "tp:h5");
    private static final String EXPIRED_STRING = "tp:expired";

    private static LocalRedisServer server;

    @BeforeAll
    static void start() {
        // Its own server: DEBUG SET-ACTIVE-EXPIRE changes the server for everything else running on it.
        server = LocalRedisServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Five hashes and one string that has expired but, with active expiry off, is still in the keyspace. */
    private static void loadWithAnExpiredString() {
        RedisCommands<String, String> admin = server.admin();
        admin.flushall();
        admin.dispatch(CommandType.DEBUG, new StatusOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add("SET-ACTIVE-EXPIRE").add(0));
        for (String hash : HASHES) {
            admin.hset(hash, "f", "1");
        }
        long expiresAt = serverMillis(admin) + 20;
        admin.psetex(EXPIRED_STRING, 20, "v");
        // Waits on the server's clock, without touching the key (any read of it would expire it).
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (serverMillis(admin) <= expiresAt + 5) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the server's clock did not pass " + expiresAt + " within " + WAIT);
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        assertThat(keysInKeyspace(admin)).as("the expired string is still counted before any listing").isEqualTo(6);
    }

    private static long serverMillis(RedisCommands<String, String> admin) {
        List<String> time = admin.time();
        return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
    }

    /** {@code keys=N} of {@code db0} in INFO keyspace: keys expired but not yet deleted included. */
    private static long keysInKeyspace(RedisCommands<String, String> admin) {
        for (String line : admin.info("keyspace").split("\r?\n")) {
            if (line.startsWith("db0:")) {
                for (String field : line.substring(4).split(",")) {
                    if (field.startsWith("keys=")) {
                        return Long.parseLong(field.substring(5).trim());
                    }
                }
            }
        }
        return 0;
    }

    /**
     * Whether this server's own {@code SCAN 0 MATCH tp:* COUNT 100 TYPE hash} leaves the expired string in the
     * keyspace. Redis 7.0, for one, looks every key up to learn its type, which expires it; Valkey 8.0+ does not.
     */
    private static boolean serverLeavesOtherTypesAlone() {
        loadWithAnExpiredString();
        RedisCommands<String, String> admin = server.admin();
        admin.dispatch(CommandType.SCAN, new ArrayOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8)
                .add(0).add("MATCH").add("tp:*").add("COUNT").add(100).add("TYPE").add("hash"));
        return keysInKeyspace(admin) == 6;
    }

    @Test
    void everyScanOfATypeFilteredListingCarriesTheTypeArgumentTheFirstIncluded() {
        loadWithAnExpiredString();
        server.resetStats();
        try (KeyScanner scanner = LettuceKeyScanner.create(server.redisUri(),
                KeyScanOptions.builder().useScan(true).build())) {
            assertThat(scanner.fetchKeys("tp:*", KeyType.HASH).block(WAIT)).isEqualTo(HASHES);
        }
        assertThat(server.commandStats("scan").calls()).as("SCAN calls").isPositive();
        // Every SCAN carried TYPE: had one not, its keys would have been checked with TYPE calls.
        assertThat(server.commandStats("type").calls()).as("TYPE calls").isZero();
    }

    @Test
    void aTypeFilteredListingLeavesExpiredKeysOfOtherTypesWhereTheServerDoes() {
        assumeTrue(serverLeavesOtherTypesAlone(), () -> server.source() + ": this server's own SCAN ... TYPE "
                + "expires keys of other types, so there is nothing for keyscan to leave alone");
        loadWithAnExpiredString();
        try (KeyScanner scanner = LettuceKeyScanner.create(server.redisUri(),
                KeyScanOptions.builder().useScan(true).build())) {
            assertThat(scanner.fetchKeys("tp:*", KeyType.HASH).block(WAIT)).isEqualTo(HASHES);
            assertThat(scanner.scan("tp:*", KeyType.HASH).collectList().block(WAIT))
                    .containsExactlyInAnyOrderElementsOf(HASHES);
        }
        assertThat(keysInKeyspace(server.admin()))
                .as("the expired string of another type is still in the keyspace after the listings").isEqualTo(6);
    }
}
