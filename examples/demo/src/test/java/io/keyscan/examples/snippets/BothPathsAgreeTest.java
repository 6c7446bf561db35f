package io.keyscan.examples.snippets;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.lettuce.LettuceKeyScanner;
import io.keyscan.testkit.RedisExtension;
import io.keyscan.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

/** The migration guide's test that both paths give the same answer, run here against a real server. */
@ExtendWith(RedisExtension.class)
class BothPathsAgreeTest {

    private final RedisServer redis;

    BothPathsAgreeTest(RedisServer redis) {
        this.redis = redis;
    }

    @Test
    void keysAndScanReturnTheSameList() {
        redis.flushAll();
        for (int i = 0; i < 2_000; i++) {
            redis.admin().set("performance|" + i + "|END", "1");
            redis.admin().set("other|" + i, "1");
        }
        String uri = redis.uri();
        // tag::both-paths-agree[]
        try (KeyScanner keys = LettuceKeyScanner.create(uri, KeyScanOptions.builder().useScan(false).build());
                KeyScanner scan = LettuceKeyScanner.create(uri, KeyScanOptions.builder().useScan(true).build())) {
            List<String> byKeys = keys.fetchKeys("performance|*").block(Duration.ofSeconds(30));

            StepVerifier.create(scan.fetchKeys("performance|*"))
                    .expectNext(byKeys)   // same keys, same order, no duplicates
                    .verifyComplete();
        }
        // end::both-paths-agree[]
    }
}
