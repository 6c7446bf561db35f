package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanOptions;
import io.keyscan.testkit.LogCapture;
import io.keyscan.testkit.RedisExtension;
import io.keyscan.testkit.RedisServer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

@ExtendWith(RedisExtension.class)
class DeprecationIT {

    private final RedisServer redis;

    DeprecationIT(RedisServer redis) {
        this.redis = redis;
    }

    @Test
    void keysPathWarnsOncePerScannerAndScanPathNever() {
        redis.flushAll();
        redis.admin().set("deprecation:1", "x");
        try (LogCapture logs = LogCapture.keyscan();
                ScannerFixture keysPath = new ScannerFixture(redis, KeyScanOptions.defaults());
                ScannerFixture scanPath = new ScannerFixture(redis, KeyScanOptions.builder().useScan(true).build())) {
            for (int i = 0; i < 3; i++) {
                StepVerifier.create(keysPath.scanner.fetchKeys("deprecation:*"))
                        .expectNext(List.of("deprecation:1")).verifyComplete();
                StepVerifier.create(scanPath.scanner.fetchKeys("deprecation:*"))
                        .expectNext(List.of("deprecation:1")).verifyComplete();
            }
            StepVerifier.create(keysPath.scanner.keys("deprecation:*")).expectNextCount(1).verifyComplete();

            List<String> deprecations = logs.warnings().stream().filter(line -> line.startsWith("[DEPRECATION]")).toList();
            assertThat(deprecations).hasSize(1);
            assertThat(deprecations.get(0)).contains("useScan = true", "KEYSCAN_USE_SCAN=true");
        }
    }
}
