package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.keyscan.KeyScanOptions;
import io.keyscan.Patterns;
import io.keyscan.testkit.RedisExtension;
import io.keyscan.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

/** User input in patterns (escaped to match exactly itself), and hostile patterns (refused before sending). */
@ExtendWith(RedisExtension.class)
class PatternsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String ALPHABET = "ab*?[]\\^-!é日😀 ";

    private final RedisServer redis;

    PatternsIT(RedisServer redis) {
        this.redis = redis;
    }

    /** Random strings over glob characters, bracket specials and non-ASCII (code points, never half a pair). */
    private static Set<String> randomInputs(int count, long seed) {
        Random random = new Random(seed);
        int[] codePoints = ALPHABET.codePoints().toArray();
        Set<String> inputs = new LinkedHashSet<>(List.of("*", "?", "[", "]", "\\", "[a-z]", "a*", "\\*", "[^a]", ""));
        while (inputs.size() < count) {
            StringBuilder input = new StringBuilder();
            int length = 1 + random.nextInt(10);
            for (int i = 0; i < length; i++) {
                input.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
            }
            inputs.add(input.toString());
        }
        return inputs;
    }

    @Test
    void anEscapedInputMatchesExactlyItselfOnTheServer() {
        redis.flushAll();
        Set<String> inputs = randomInputs(300, 20);
        List<String> keys = new ArrayList<>();
        for (String input : inputs) {
            String key = "row20|" + input + "|END";
            keys.add(key);
            redis.admin().set(key, "1");
        }
        try (ScannerFixture keysPath = new ScannerFixture(redis, KeyScanOptions.defaults());
                ScannerFixture scanPath = new ScannerFixture(redis, KeyScanOptions.builder().useScan(true).build())) {
            for (String input : inputs) {
                String pattern = "row20|" + Patterns.escape(input) + "|END";
                List<String> exactlyOne = List.of("row20|" + input + "|END");
                StepVerifier.create(keysPath.scanner.fetchKeys(pattern)).expectNext(exactlyOne).expectComplete()
                        .verify(WAIT);
                StepVerifier.create(scanPath.scanner.fetchKeys(pattern)).expectNext(exactlyOne).expectComplete()
                        .verify(WAIT);
                // the server's own KEYS agrees: the escaped string is a literal
                assertThat(redis.admin().keys(pattern)).as("KEYS %s", pattern).containsExactlyElementsOf(exactlyOne);
            }
            // and unescaped, the same input widens the listing (which is why escaping is needed)
            StepVerifier.create(scanPath.scanner.fetchKeys("row20|*|END"))
                    .assertNext(all -> assertThat(all).hasSize(keys.size()))
                    .expectComplete()
                    .verify(WAIT);
        }
    }

    @Test
    void pathologicalPatternsAreRefusedBeforeAnythingIsSent() {
        redis.resetStats();
        String manyStars = "a*".repeat(40) + "b";
        String veryLong = "x".repeat(100_000);
        try (ScannerFixture fixture = new ScannerFixture(redis, KeyScanOptions.builder().useScan(true).build())) {
            for (String pattern : List.of(manyStars, veryLong)) {
                assertThatIllegalArgumentException().isThrownBy(() -> fixture.scanner.scan(pattern));
                assertThatIllegalArgumentException().isThrownBy(() -> fixture.scanner.keys(pattern));
                assertThatIllegalArgumentException().isThrownBy(() -> fixture.scanner.fetchKeys(pattern))
                        .withMessageMatching("pattern (has 40 '\\*' wildcards|is 100000 bytes long).*");
            }
            fixture.settle();
        }
        assertThat(redis.commandStats("scan").calls()).isZero();
        assertThat(redis.commandStats("keys").calls()).isZero();
    }
}
