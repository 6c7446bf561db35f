package io.keyscan.bench;

import java.util.List;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * One line of {@code results.csv}: one path listing one query class over one dataset, summarised over its runs.
 *
 * @param datasetKeys how many keys the database held
 * @param queryClass {@code match_all}, {@code date_scoped}, {@code lookup}, {@code broad} or {@code literal}
 * @param path {@code KEYS}, {@code SCAN}, {@code SCAN_AUTO} or {@code LETTUCE_SCANSTREAM}
 * @param count the fixed COUNT of a {@code SCAN} path; {@code null} where the path does not fix one
 * @param wallMillis each measured run's wall time
 * @param ratioToKeys the median over KEYS' median for the same dataset and class
 * @param scanCalls SCAN calls the server counted per run (mean over the runs)
 * @param maxCallMicros the longest single call of the path's command (SCAN; KEYS for the KEYS path) on the
 *     server over all runs; {@code null} when the server does not tell
 * @param probeMaxMillis the longest PING round trip of the probe client over all runs
 * @param keysFound how many keys the listing returned
 * @param serverMillis each measured run's server time for the listing's commands ({@code INFO commandstats})
 * @param probeP99Millis the 99th percentile of the probe's round trips over all runs
 * @param probeP999Millis the 99.9th percentile of the probe's round trips over all runs
 */
record ResultRow(long datasetKeys, String queryClass, String path, @Nullable Integer count, List<Double> wallMillis,
        double ratioToKeys, double scanCalls, @Nullable Long maxCallMicros, double probeMaxMillis, int keysFound,
        List<Double> serverMillis, double probeP99Millis, double probeP999Millis) {

    /** The header of {@code results.csv}, exactly: the first ten columns as they always were, new ones after. */
    static final String CSV_HEADER =
            "dataset_keys,query_class,path,count,runs,median_ms,ratio_to_keys,scan_calls,max_call_us,probe_max_ms,"
                    + "server_ms,ratio_to_server,probe_p99_ms,probe_p999_ms";

    ResultRow {
        wallMillis = List.copyOf(wallMillis);
        serverMillis = List.copyOf(serverMillis);
    }

    int runs() {
        return wallMillis.size();
    }

    double medianMillis() {
        return Stats.median(wallMillis);
    }

    /** The median over the runs of the server's own time for the listing's commands. */
    double medianServerMillis() {
        return Stats.median(serverMillis);
    }

    /**
     * The median wall time over the median server time: how many times what the server itself had to spend the
     * listing took. {@code null} when the server counted no time (under a microsecond).
     */
    @Nullable Double ratioToServer() {
        double server = medianServerMillis();
        return server > 0 ? medianMillis() / server : null;
    }

    /** This row as a line of {@code results.csv}, without the line break. */
    String csvLine() {
        StringJoiner line = new StringJoiner(",");
        line.add(Long.toString(datasetKeys));
        line.add(Stats.csvField(queryClass));
        line.add(Stats.csvField(path));
        line.add(count == null ? "" : Integer.toString(count));
        line.add(Integer.toString(runs()));
        line.add(Stats.fixed(medianMillis(), 3));
        line.add(Stats.fixed(ratioToKeys, 2));
        line.add(Stats.calls(scanCalls));
        line.add(maxCallMicros == null ? "" : Long.toString(maxCallMicros));
        line.add(Stats.fixed(probeMaxMillis, 2));
        line.add(Stats.fixed(medianServerMillis(), 3));
        Double toServer = ratioToServer();
        line.add(toServer == null ? "" : Stats.fixed(toServer, 2));
        line.add(Stats.fixed(probeP99Millis, 2));
        line.add(Stats.fixed(probeP999Millis, 2));
        return line.toString();
    }

    /** {@code KEYS}, {@code SCAN 100}, {@code SCAN_AUTO}... */
    String label() {
        return count == null ? path : path + " " + count;
    }
}
