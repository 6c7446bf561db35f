package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanListener;
import io.keyscan.KeyScanOptions;
import io.keyscan.testkit.RedisExtension;
import io.keyscan.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sorted result of a large {@code fetchKeys} is made and delivered off Lettuce's event loop, which every other
 * command of the application shares. {@code -Dkeyscan.resultThread.keys=1000000} measures a larger listing.
 */
@ExtendWith(RedisExtension.class)
class ResultThreadIT {

    private static final Logger log = LoggerFactory.getLogger(ResultThreadIT.class);
    private static final int KEYS = Integer.getInteger("keyscan.resultThread.keys", 50_000);

    private final RedisServer redis;

    ResultThreadIT(RedisServer redis) {
        this.redis = redis;
    }

    @Test
    void theResultOfALargeFetchKeysDoesNotArriveOnAnEventLoopThread() {
        redis.flushAll();
        redis.mset(0, KEYS, i -> String.format("rt:%07d", i), i -> "v");
        for (boolean useScan : new boolean[] {true, false}) {
            AtomicLong lastPage = new AtomicLong();
            AtomicReference<String> pageThread = new AtomicReference<>();
            KeyScanListener listener = new KeyScanListener() {
                @Override
                public void onScanPage(String server, int count, int keys) {
                    lastPage.set(System.nanoTime());
                    pageThread.set(Thread.currentThread().getName());
                }
            };
            KeyScanOptions options = KeyScanOptions.builder().useScan(useScan).listener(listener).build();
            try (ScannerFixture fixture = new ScannerFixture(redis, options)) {
                AtomicReference<String> resultThread = new AtomicReference<>();
                AtomicLong resultAt = new AtomicLong();
                List<String> keys = fixture.scanner.fetchKeys("rt:*").doOnNext(result -> {
                    resultAt.set(System.nanoTime());
                    resultThread.set(Thread.currentThread().getName());
                }).block(Duration.ofSeconds(120));
                assertThat(keys).hasSize(KEYS).isSorted();
                if (useScan) {
                    log.info("fetchKeys of {} keys with SCAN: last page on {}, result on {}, {} ms from the last page "
                            + "to the result", KEYS, pageThread.get(), resultThread.get(),
                            (resultAt.get() - lastPage.get()) / 1_000_000);
                    assertThat(pageThread.get()).as("pages arrive on Lettuce's event loop").contains("EventLoop");
                }
                assertThat(resultThread.get()).as("useScan=" + useScan).startsWith("parallel-")
                        .doesNotContain("EventLoop");
            }
        }
    }
}
