package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8Test {

    @Test
    void agreesWithTheJdkDecoderOnEdgeCases() {
        int[][] cases = {
            {}, {'a'}, {0}, {0x7f}, {0x80}, {0xc0, 0x80}, {0xc1, 0xbf}, {0xc2, 0x80}, {0xdf, 0xbf},
            {0xe0, 0x80, 0x80}, {0xe0, 0x9f, 0xbf}, {0xe0, 0xa0, 0x80}, {0xed, 0x9f, 0xbf}, {0xed, 0xa0, 0x80},
            {0xed, 0xbf, 0xbf}, {0xee, 0x80, 0x80}, {0xef, 0xbf, 0xbf}, {0xf0, 0x8f, 0xbf, 0xbf},
            {0xf0, 0x90, 0x80, 0x80}, {0xf4, 0x8f, 0xbf, 0xbf}, {0xf4, 0x90, 0x80, 0x80}, {0xf5, 0x80, 0x80, 0x80},
            {0xff}, {0xe2, 0x82}, {0xf0, 0x9f, 0x8e}, {0xe2, 0x28, 0xa1}, {'a', 0xc3}
        };
        for (int[] ints : cases) {
            byte[] bytes = new byte[ints.length];
            for (int i = 0; i < ints.length; i++) {
                bytes[i] = (byte) ints[i];
            }
            assertThat(Utf8.isValid(bytes)).as(Keys.show(bytes)).isEqualTo(jdkAccepts(bytes));
        }
    }

    @Test
    void agreesWithTheJdkDecoderOnRandomBytes() {
        Random random = new Random(7);
        int valid = 0;
        for (int n = 0; n < 200_000; n++) {
            byte[] bytes = new byte[random.nextInt(6)];
            for (int i = 0; i < bytes.length; i++) {
                // biased towards the lead and continuation bytes where the rules are
                bytes[i] = (byte) (random.nextBoolean() ? 0x80 + random.nextInt(0x80) : random.nextInt(256));
            }
            boolean accepted = jdkAccepts(bytes);
            valid += accepted ? 1 : 0;
            assertThat(Utf8.isValid(bytes)).as(Keys.show(bytes)).isEqualTo(accepted);
        }
        assertThat(valid).as("the sample holds valid strings too").isGreaterThan(1000);
    }

    @Test
    void validBytesSurviveTheTripThroughAString() {
        byte[] bytes = "plain ASCII, é, € and 🎉".getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8.isValid(bytes)).isTrue();
        assertThat(new String(bytes, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8)).isEqualTo(bytes);
    }

    private static boolean jdkAccepts(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
