package io.keyscan.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.HdrHistogram.Histogram;

/**
 * Turns measured runs into {@link ResultRow}s: medians, ratios to KEYS, maxima over the runs, and the probe's
 * percentiles over the round trips of all the runs together.
 */
final class Summary {

    private Summary() {
    }

    /**
     * One row per dataset, class and path (with its COUNT), in the order the samples first appear. Every group
     * must hold a {@code KEYS} path for the same dataset and class: ratios are to its median.
     */
    static List<ResultRow> rows(List<RunSample> samples) {
        Map<List<Object>, List<RunSample>> groups = new LinkedHashMap<>();
        for (RunSample sample : samples) {
            groups.computeIfAbsent(key(sample), k -> new ArrayList<>()).add(sample);
        }
        List<ResultRow> rows = new ArrayList<>();
        for (List<RunSample> group : groups.values()) {
            RunSample first = group.get(0);
            List<RunSample> keysGroup = groups.get(List.of(first.datasetKeys(), first.queryClass(), "KEYS", ""));
            if (keysGroup == null) {
                throw new IllegalStateException("no KEYS runs for " + first.queryClass() + " at " + first.datasetKeys()
                        + " keys: ratios are relative to KEYS");
            }
            double keysMedian = Stats.median(keysGroup.stream().map(RunSample::wallMillis).toList());
            List<Double> walls = group.stream().map(RunSample::wallMillis).toList();
            double scanCalls = group.stream().mapToLong(RunSample::scanCalls).sum() / (double) group.size();
            Long maxCall = null;
            for (RunSample sample : group) {
                if (sample.maxCallMicros() != null) {
                    maxCall = maxCall == null ? sample.maxCallMicros() : Math.max(maxCall, sample.maxCallMicros());
                }
            }
            double probeMax = group.stream().mapToDouble(RunSample::probeMaxMillis).max().orElse(0);
            Histogram roundTrips = new Histogram(3);
            for (RunSample sample : group) {
                roundTrips.add(sample.probeRoundTrips());
            }
            rows.add(new ResultRow(first.datasetKeys(), first.queryClass(), first.path(), first.count(), walls,
                    Stats.ratio(Stats.median(walls), keysMedian), scanCalls, maxCall, probeMax, first.keysFound(),
                    group.stream().map(RunSample::serverMillis).toList(), Stats.percentileMillis(roundTrips, 99),
                    Stats.percentileMillis(roundTrips, 99.9)));
        }
        return rows;
    }

    private static List<Object> key(RunSample sample) {
        return List.of(sample.datasetKeys(), sample.queryClass(), sample.path(),
                Objects.toString(sample.count(), ""));
    }
}
