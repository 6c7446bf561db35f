package io.keyscan.examples.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyscan.Patterns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PatternPolicyTest {

    private final PatternPolicy policy = new PatternPolicy("app:");

    @ParameterizedTest
    @CsvSource(delimiterString = " -> ", value = {
            "app:* -> app:",
            "app:user:* -> app:user:",
            "app:user\\*1* -> app:user*1",
            "ap?:x -> ap",
            "[a]pp:x -> ''",
            "* -> ''",
            "app\\:x -> app:x",
            "app:\\[x]* -> app:[x]",
            "app:x\\ -> app:x\\",
    })
    void literalBeginningIsWhatThePatternMatchesBeforeItsFirstWildcard(String pattern, String literal) {
        assertThat(PatternPolicy.literalBeginning(pattern)).isEqualTo(literal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"app:*", "app:", "app:user:*:profile", "ap\\p:*", "app:a?c", "app:[abc]"})
    void acceptsPatternsThatStartWithThePrefixLiterally(String pattern) {
        assertThat(policy.check(pattern)).isEqualTo(pattern);
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "a*", "app*", "ap?:*", "[a]pp:*", "app", "other:*", "", "App:*", "\\*app:*"})
    void refusesPatternsThatCouldMatchKeysOutsideThePrefix(String pattern) {
        assertThatThrownBy(() -> policy.check(pattern))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("'" + pattern + "'")
                .hasMessageContaining("allowed prefix 'app:'");
    }

    @Test
    void anEmptyPrefixAllowsEveryPattern() {
        assertThat(new PatternPolicy("").check("*")).isEqualTo("*");
    }

    @Test
    void aPrefixWithGlobCharactersMustBeEscapedInThePattern() {
        PatternPolicy starry = new PatternPolicy("a*b:");
        assertThat(starry.check(Patterns.escape("a*b:") + "*")).isEqualTo("a\\*b:*");
        assertThatThrownBy(() -> starry.check("a*b:*")).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void refusesPatternsBeyondKeyscansLimitsNamingTheLimit() {
        assertThatThrownBy(() -> policy.check("app:" + "a".repeat(Patterns.MAX_PATTERN_BYTES)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("more than the " + Patterns.MAX_PATTERN_BYTES + " allowed");
        assertThatThrownBy(() -> policy.check("app:" + "*a".repeat(Patterns.MAX_STARS + 1)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("pattern has " + (Patterns.MAX_STARS + 1) + " '*' wildcards");
    }

    @Test
    void quoteCutsLongValuesShort() {
        assertThat(PatternPolicy.quote("abc")).isEqualTo("'abc'");
        assertThat(PatternPolicy.quote("x".repeat(100))).isEqualTo("'" + "x".repeat(80) + "...' (100 chars)");
    }
}
