package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The tuner's arithmetic on scripted server times: budget 2 ms, so the target is 1.5 ms a call. */
class AdaptiveCountTunerTest {

    private static final long US = 1_000;

    /** One call of {@code count} that took {@code nanos} on the server. */
    private static void call(AdaptiveCountTuner tuner, int count, long nanos) {
        tuner.onServerTime(count, 1, nanos);
    }

    private static AdaptiveCountTuner tuner(int start) {
        return new AdaptiveCountTuner(Duration.ofMillis(2), 10, 10_000, start);
    }

    @Test
    void startsAtTheClassCountWithinTheBounds() {
        assertThat(tuner(1400).count()).isEqualTo(1400);
        assertThat(new AdaptiveCountTuner(Duration.ofMillis(2), 10, 500, 1400).count()).isEqualTo(500);
        assertThat(new AdaptiveCountTuner(Duration.ofMillis(2), 2000, 10_000, 1400).count()).isEqualTo(2000);
    }

    @Test
    void settlesWhereACallTakesThreeQuartersOfTheBudget() {
        AdaptiveCountTuner tuner = tuner(1400);
        call(tuner, 1400, 1400 * US); // 1 us per COUNT
        assertThat(tuner.count()).isEqualTo(1500);
        call(tuner, 1500, 1500 * US);
        assertThat(tuner.count()).isEqualTo(1500);
    }

    @Test
    void growsAtMostTwofoldPerCallUpToTheMaximum() {
        AdaptiveCountTuner tuner = tuner(1000);
        call(tuner, 1000, 100 * US); // 0.1 us per COUNT: ideal 15000
        assertThat(tuner.count()).isEqualTo(2000);
        call(tuner, 2000, 200 * US);
        assertThat(tuner.count()).isEqualTo(4000);
        call(tuner, 4000, 400 * US);
        assertThat(tuner.count()).isEqualTo(8000);
        call(tuner, 8000, 800 * US);
        assertThat(tuner.count()).isEqualTo(10_000);
    }

    @Test
    void aCallOverTheBudgetCutsCountAtOnce() {
        AdaptiveCountTuner tuner = tuner(1400);
        call(tuner, 1400, 1400 * US); // 1 us per COUNT -> 1500
        call(tuner, 1500, 9000 * US); // 6 us per COUNT: 9 ms, over the 2 ms budget
        // smoothed cost (1 + 6) / 2 = 3.5 us -> 1.5 ms / 3.5 us = 428
        assertThat(tuner.count()).isEqualTo(428);
    }

    @Test
    void anOutlierFadesAsItsWeightHalves() {
        // a hiccup on the server: 6 ms measured for 1000 at a true 0.7 us per COUNT
        AdaptiveCountTuner tuner = tuner(1000);
        call(tuner, 1000, 6000 * US);
        assertThat(tuner.count()).isEqualTo(250);
        int previous = 250;
        for (int call = 0; call < 8; call++) {
            call(tuner, tuner.count(), (long) (tuner.count() * 0.7 * US));
            assertThat(tuner.count()).as("never over the true ideal of 2142").isBetween(previous, 2142);
            previous = tuner.count();
        }
        // the outlier's weight halves with every measurement: within 3% of 1.5 ms / 0.7 us after eight
        assertThat(tuner.count()).isBetween(2078, 2142);
    }

    @Test
    void severalCallsInOneMeasurementAreAveraged() {
        AdaptiveCountTuner tuner = tuner(1000);
        // eight calls of 1000, 9.6 ms in all: 1.2 us per COUNT, 1.2 ms per call (under budget) -> 1250
        tuner.onServerTime(8_000, 8, 9_600 * US);
        assertThat(tuner.count()).isEqualTo(1250);
        // eight calls of 1250 at 3 ms each: over budget, cut at once to 1.5 ms / ((1.2 + 2.4) / 2 us) = 833
        tuner.onServerTime(10_000, 8, 24_000 * US);
        assertThat(tuner.count()).isEqualTo(833);
    }

    @Test
    void severalCursorsShareTheBudget() {
        AdaptiveCountTuner tuner = tuner(1400);
        call(tuner, 1400, 1400 * US); // 1 us per COUNT -> 1500 for one cursor
        tuner.cursors(4);
        // four calls in the server's queue together stay within the budget: 1.5 ms / 4 / 1 us
        assertThat(tuner.count()).isEqualTo(375);
        tuner.onServerTime(4 * 375, 4, 4 * 375 * US);
        assertThat(tuner.count()).isEqualTo(375);
    }

    @Test
    void noMeasurableServerTimeDoublesCount() {
        AdaptiveCountTuner tuner = tuner(1000);
        call(tuner, 1000, 0);
        assertThat(tuner.count()).isEqualTo(2000);
    }

    @Test
    void neverBelowTheMinimum() {
        AdaptiveCountTuner tuner = new AdaptiveCountTuner(Duration.ofMillis(2), 50, 10_000, 1000);
        call(tuner, 1000, 1_000_000 * US); // a second for one call
        assertThat(tuner.count()).isEqualTo(50);
    }

    @Test
    void fixedCountWhenAutoTuningIsOff() {
        CountTuner fixed = CountTuner.forQuery(KeyScanOptions.builder().scanCountAutoTune(false).scanCount(37).build(),
                QueryClass.BROAD);
        fixed.onServerTime(37, 1, 1_000_000_000L);
        assertThat(fixed.count()).isEqualTo(37);
        assertThat(fixed.measures()).isFalse();
        assertThat(CountTuner.forQuery(KeyScanOptions.defaults(), QueryClass.DATE_SCOPED).count())
                .isEqualTo(QueryClass.DATE_SCOPED.startCount);
    }
}
