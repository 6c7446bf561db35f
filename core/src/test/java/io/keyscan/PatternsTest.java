package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PatternsTest {

    @Test
    void escapePutsABackslashBeforeEachGlobCharacter() {
        assertThat(Patterns.escape("plain-text_123")).isEqualTo("plain-text_123");
        assertThat(Patterns.escape("a*")).isEqualTo("a\\*");
        assertThat(Patterns.escape("[x]?\\")).isEqualTo("\\[x\\]\\?\\\\");
        assertThat(Patterns.escape("^-")).as("special only inside brackets").isEqualTo("^-");
        assertThat(Patterns.escape("")).isEmpty();
        assertThat(Patterns.escape("ключ*é")).isEqualTo("ключ\\*é");
    }

    @Test
    void escapedTextIsALiteralPattern() {
        assertThat(Patterns.isLiteral(Patterns.escape("*?[]\\"))).isTrue();
        assertThat(Patterns.isLiteral("user:1")).isTrue();
        assertThat(Patterns.isLiteral("user:*")).isFalse();
        assertThat(Patterns.isLiteral("user:?")).isFalse();
        assertThat(Patterns.isLiteral("user:[12]")).isFalse();
    }

    @Test
    void nullIsRejected() {
        assertThatNullPointerException().isThrownBy(() -> Patterns.validate(null))
                .withMessage("pattern must not be null");
        assertThatNullPointerException().isThrownBy(() -> Patterns.escape(null));
    }

    @Test
    void tooManyStarsAreRejectedBeforeAnythingIsSent() {
        String tenStars = "a*".repeat(10) + "b";
        assertThat(Patterns.validate(tenStars)).isEqualTo(tenStars);
        assertThatIllegalArgumentException().isThrownBy(() -> Patterns.validate("a*".repeat(11) + "b"))
                .withMessageContaining("11 '*' wildcards, more than the 10 allowed")
                .withMessageContaining("CVE-2022-36021");
    }

    @Test
    void runsOfStarsAndEscapedStarsAreNotCountedAsMany() {
        assertThat(Patterns.validate("***a" + "\\*".repeat(50))).isNotNull();
        assertThat(Patterns.validate("a" + "**b".repeat(10))).isNotNull();
    }

    @Test
    void overLongPatternIsRejected() {
        String longest = "k".repeat(Patterns.MAX_PATTERN_BYTES);
        assertThat(Patterns.validate(longest)).isSameAs(longest);
        assertThatIllegalArgumentException().isThrownBy(() -> Patterns.validate("k".repeat(100_000)))
                .withMessageContaining("100000 bytes long, more than the 16384 allowed")
                .withMessageContaining("(100000 chars)");
        String multiByte = "é".repeat(Patterns.MAX_PATTERN_BYTES / 2 + 1);
        assertThatIllegalArgumentException().isThrownBy(() -> Patterns.validate(multiByte))
                .withMessageContaining("16386 bytes long");
    }

    @Test
    void unpairedSurrogateIsRejectedInsteadOfBecomingAWildcard() {
        assertThatIllegalArgumentException().isThrownBy(() -> Patterns.validate("user:\uD800"))
                .withMessageContaining("unpaired UTF-16 surrogate");
        assertThat(Patterns.encode("emoji:\uD83D\uDE00")).isEqualTo("emoji:😀".getBytes(StandardCharsets.UTF_8));
    }
}
