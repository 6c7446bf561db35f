package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanListener;
import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.testkit.LocalRedisCluster;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.RedisBinary;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.test.StepVerifier;

/**
 * How much a cluster listing reads again when a shard's master changes in its middle: a failover and a
 * {@code kill -9}. Where the node's SCAN cursor carries the slot (one table per slot: Redis 7.4+, Valkey 8+), the
 * engine resumes the shard on its new master at the slot that was in progress, so it reads again at most that
 * slot's keys; elsewhere (Redis 7.0) it lists the shard again from cursor 0. Each test logs the number it saw
 * ({@code keys read twice}), which {@code docs/cluster.md} quotes.
 */
class SlotProgressIT {

    private static final Logger log = LoggerFactory.getLogger(SlotProgressIT.class);

    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final int KEYS = 60_000;

    private static List<String> load(LocalRedisCluster cluster) {
        List<String> keys = new ArrayList<>(KEYS);
        for (int i = 0; i < KEYS; i++) {
            keys.add(String.format("key:%06d", i));
        }
        cluster.loadKeys(keys);
        return keys;
    }

    /** A listing that counts every key every SCAN page delivered to the engine, duplicates included. */
    private static KeyScanOptions counting(AtomicLong keysRead) {
        return KeyScanOptions.builder()
                .useScan(true)
                .scanCountAutoTune(false)
                .scanCount(100)
                .commandTimeout(Duration.ofSeconds(2))
                .retryMaxAttempts(12)
                .retryFirstBackoff(Duration.ofMillis(200))
                .retryMaxBackoff(Duration.ofSeconds(1))
                .listener(new KeyScanListener() {
                    @Override
                    public void onScanPage(String address, int count, int keys) {
                        keysRead.addAndGet(keys);
                    }
                })
                .build();
    }

    /** Whether this server keeps one table per slot in cluster mode, as its documentation says (for the assertion only). */
    static boolean tablePerSlot() {
        RedisBinary binary = RedisBinary.find();
        String[] version = binary.version().split("\\.");
        int major = Integer.parseInt(version[0]);
        int minor = Integer.parseInt(version[1]);
        return binary.isValkey() ? major >= 8 : major > 7 || (major == 7 && minor >= 4);
    }

    private static int mostKeysInOneSlot(List<String> data) {
        Map<Integer, Integer> perSlot = new HashMap<>();
        for (String key : data) {
            perSlot.merge(SlotHash.getSlot(key), 1, Integer::sum);
        }
        return perSlot.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    @Test
    void aFailoverReadsAgainAtMostTheSlotInProgress() {
        readsAgain("failover", cluster -> {
            LocalRedisServer master = cluster.masters().get(0);
            return () -> cluster.failover(cluster.replicasOf(master).get(0));
        });
    }

    @Test
    void aKilledMasterReadsAgainAtMostTheSlotInProgress() {
        readsAgain("kill -9", cluster -> {
            LocalRedisServer master = cluster.masters().get(0);
            return () -> cluster.killMaster(master);
        });
    }

    private void readsAgain(String fault, Function<LocalRedisCluster, Runnable> faultOf) {
        AtomicLong keysRead = new AtomicLong();
        try (LocalRedisCluster cluster = LocalRedisCluster.start();
                KeyScanner scanner = LettuceKeyScanner.createCluster(cluster.redisUris(), counting(keysRead))) {
            List<String> data = load(cluster);
            Runnable breakIt = faultOf.apply(cluster);
            Set<String> seen = new HashSet<>();
            // half the keys, so about half of every shard, before the fault
            StepVerifier.create(scanner.scan("key:*").doOnNext(seen::add), 0)
                    .thenRequest(KEYS / 2)
                    .expectNextCount(KEYS / 2)
                    .then(breakIt)
                    .thenRequest(Long.MAX_VALUE)
                    .thenConsumeWhile(key -> true)
                    .expectComplete()
                    .verify(WAIT);
            Completeness.assertNothingLost(seen, data);
            long readTwice = keysRead.get() - data.size();
            int slotKeys = mostKeysInOneSlot(data);
            log.info("Keys read twice after a {} at the middle of a {}-key listing on {}: {} (a shard holds about "
                    + "{}; the fullest slot {})", fault, KEYS, RedisBinary.find().version(), readTwice,
                    KEYS / 3, slotKeys);
            System.out.printf("SLOT-PROGRESS fault=%s server=%s keys=%d readTwice=%d shard~%d slotMax=%d%n", fault,
                    RedisBinary.find(), KEYS, readTwice, KEYS / 3, slotKeys);
            if (tablePerSlot()) {
                assertThat(readTwice).as("keys read twice: at most the slot that was in progress")
                        .isLessThanOrEqualTo(slotKeys);
            }
        }
    }
}
