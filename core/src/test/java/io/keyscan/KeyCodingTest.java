package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyCodingTest {

    @Test
    void sortedDistinctUsesNaturalStringOrder() {
        List<String> keys = new ArrayList<>(List.of("b", "a", "B", "a", "", "b", "ä"));
        assertThat(KeyCoding.sortedDistinct(keys, KeyCoding.STRING_ORDER)).containsExactly("", "B", "a", "b", "ä");
    }

    @Test
    void bytesSortUnsignedLikeMemcmpAndDuplicatesGo() {
        List<byte[]> keys = new ArrayList<>(List.of(new byte[] {(byte) 0xff}, new byte[] {0x7f}, new byte[] {},
                new byte[] {0x7f, 0}, new byte[] {(byte) 0xff}, new byte[] {0x7f}));
        assertThat(KeyCoding.sortedDistinct(keys, KeyCoding.BYTE_ORDER))
                .containsExactly(new byte[] {}, new byte[] {0x7f}, new byte[] {0x7f, 0}, new byte[] {(byte) 0xff});
    }

    @Test
    void validUtf8IncludingTheReplacementCharacterItselfDecodes() {
        assertThat(KeyCoding.decode("a\uFFFDb".getBytes(StandardCharsets.UTF_8), "*")).isEqualTo("a\uFFFDb");
        assertThat(KeyCoding.decode("line\nbreak *?[]\\".getBytes(StandardCharsets.UTF_8), "*"))
                .isEqualTo("line\nbreak *?[]\\");
    }

    @Test
    void invalidUtf8IsRefusedWithThePrintableKey() {
        assertThatThrownBy(() -> KeyCoding.decode(new byte[] {'k', (byte) 0xc3, '"'}, "k*"))
                .isInstanceOf(KeyScanException.class)
                .hasMessage("key \"k\\xc3\\x22\" matching pattern 'k*' is not valid UTF-8, so it cannot be returned "
                        + "as a String without changing it");
    }
}
