package io.keyscan.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void medianOfAnOddCountIsTheMiddleValue() {
        assertThat(Stats.median(List.of(5.0, 1.0, 3.0))).isEqualTo(3.0);
        assertThat(Stats.median(List.of(7.0))).isEqualTo(7.0);
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() {
        assertThat(Stats.median(List.of(4.0, 1.0, 10.0, 2.0))).isEqualTo(3.0);
    }

    @Test
    void medianIgnoresOutliersAndDoesNotReorderItsInput() {
        List<Double> values = List.of(100.0, 1.0, 2.0, 3.0, 2.5);
        assertThat(Stats.median(values)).isEqualTo(2.5);
        assertThat(values).containsExactly(100.0, 1.0, 2.0, 3.0, 2.5);
    }

    @Test
    void medianOfNothingIsAnError() {
        assertThatThrownBy(() -> Stats.median(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ratioIsTheTimeOverKeysTime() {
        assertThat(Stats.ratio(300, 150)).isEqualTo(2.0);
        assertThat(Stats.ratio(75, 150)).isEqualTo(0.5);
        assertThatThrownBy(() -> Stats.ratio(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void numbersUseADotAndNoGrouping() {
        assertThat(Stats.fixed(1234.5678, 3)).isEqualTo("1234.568");
        assertThat(Stats.fixed(0.005, 2)).isEqualTo("0.01");
        assertThat(Stats.calls(1000)).isEqualTo("1000");
        assertThat(Stats.calls(971.4)).isEqualTo("971.4");
        assertThat(Stats.calls(0)).isEqualTo("0");
    }

    @Test
    void csvFieldsAreQuotedOnlyWhenNeeded() {
        assertThat(Stats.csvField("SCAN_AUTO")).isEqualTo("SCAN_AUTO");
        assertThat(Stats.csvField("a,b")).isEqualTo("\"a,b\"");
        assertThat(Stats.csvField("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    }

    @Test
    void durationsForProgressLines() {
        assertThat(Stats.duration(4_200_000_000L)).isEqualTo("4.2s");
        assertThat(Stats.duration(723_000_000_000L)).isEqualTo("12m03s");
        assertThat(Stats.duration(3_723_000_000_000L)).isEqualTo("1h02m03s");
    }
}
