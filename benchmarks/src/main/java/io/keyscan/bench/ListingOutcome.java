package io.keyscan.bench;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One listing of a load test (a {@code KeyScanner} listing or an HTTP stream): its problem ({@code null}: exact and
 * complete) and its own time.
 */
record ListingOutcome(@Nullable String problem, long nanos) {

    /** A round's listings together: how many were exact, each one's seconds, and the first problem met. */
    record Tally(int exact, List<Double> seconds, @Nullable String firstProblem) {

        static Tally of(List<ListingOutcome> outcomes) {
            int exact = 0;
            List<Double> seconds = new ArrayList<>();
            String firstProblem = null;
            for (ListingOutcome outcome : outcomes) {
                seconds.add(outcome.nanos() / 1e9);
                if (outcome.problem() == null) {
                    exact++;
                } else if (firstProblem == null) {
                    firstProblem = outcome.problem();
                }
            }
            return new Tally(exact, List.copyOf(seconds), firstProblem);
        }

        double medianSeconds() {
            return Stats.median(seconds);
        }

        double maxSeconds() {
            return seconds.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        }
    }
}
