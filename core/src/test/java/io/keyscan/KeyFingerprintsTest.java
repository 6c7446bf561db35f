package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyFingerprintsTest {

    /**
     * vectors_sip128 of the reference implementation (github.com/veorq/SipHash, vectors.h): key 00..0f,
     * message 00..(n-1), output as the two 64-bit words in little-endian byte order.
     */
    @ParameterizedTest
    @CsvSource({
        "0,a3817f04ba25a8e66df67214c7550293",
        "1,da87c1d86b99af44347659119b22fc45",
        "7,a1f1ebbed8dbc153c0b84aa61ff08239",
        "8,3b62a9ba6258f5610f83e264f31497b4",
        "15,5493e99933b0a8117e08ec0f97cfc3d9",
        "16,6ee2a4ca67b054bbfd3315bf85230577",
        "63,5150d1772f50834a503e069a973fbd7c",
    })
    void matchesTheSipHash128ReferenceVectors(int length, String expected) {
        KeyFingerprints set = new KeyFingerprints(0x0706050403020100L, 0x0f0e0d0c0b0a0908L, "*", Long.MAX_VALUE);
        byte[] message = new byte[length];
        for (int i = 0; i < length; i++) {
            message[i] = (byte) i;
        }
        assertThat(littleEndianHex(set.sipHash128(message))).isEqualTo(expected);
    }

    @Test
    void addTellsFirstSightingsFromRepeats() {
        KeyFingerprints set = new KeyFingerprints("*", Long.MAX_VALUE);
        assertThat(set.add(bytes("a"))).isTrue();
        assertThat(set.add(bytes("b"))).isTrue();
        assertThat(set.add(bytes("a"))).isFalse();
        assertThat(set.add(new byte[0])).isTrue();
        assertThat(set.add(new byte[0])).isFalse();
        assertThat(set.size()).isEqualTo(3);
    }

    @Test
    void keepsEveryDistinctKeyThroughGrowth() {
        KeyFingerprints set = new KeyFingerprints("*", Long.MAX_VALUE);
        for (int i = 0; i < 200_000; i++) {
            assertThat(set.add(bytes("performance|request_id|" + i + "|END"))).isTrue();
        }
        for (int i = 0; i < 200_000; i += 7) {
            assertThat(set.add(bytes("performance|request_id|" + i + "|END"))).isFalse();
        }
        assertThat(set.size()).isEqualTo(200_000);
    }

    private static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private static String littleEndianHex(long[] words) {
        StringBuilder out = new StringBuilder();
        for (long word : words) {
            for (int i = 0; i < 8; i++) {
                out.append(String.format("%02x", (word >>> (8 * i)) & 0xff));
            }
        }
        return out.toString();
    }
}
