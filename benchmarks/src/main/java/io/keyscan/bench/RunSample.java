package io.keyscan.bench;

import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * One measured run of one path.
 *
 * @param datasetKeys keys in the database
 * @param queryClass the query class
 * @param path the path's CSV name
 * @param count the path's fixed COUNT, or {@code null}
 * @param run 1-based run number
 * @param wallMillis wall time of the complete listing, subscription to sorted list in hand
 * @param scanCalls SCAN calls the server executed during the run
 * @param maxCallMicros the longest single call of the path's command on the server, or {@code null} if unknown
 * @param probeMaxMillis the probe's longest PING round trip during the run
 * @param keysFound keys returned
 * @param serverMillis the server's own time for the listing's commands (SCAN, KEYS, EXISTS) during the run, from
 *     {@code INFO commandstats}: the floor under the wall time
 * @param probeRoundTrips every PING round trip of the probe during the run, in nanoseconds
 */
record RunSample(long datasetKeys, String queryClass, String path, @Nullable Integer count, int run,
        double wallMillis, long scanCalls, @Nullable Long maxCallMicros, double probeMaxMillis, int keysFound,
        double serverMillis, Histogram probeRoundTrips) {

    /** The header of {@code runs.csv}: every measured run, unsummarised. */
    static final String CSV_HEADER = "dataset_keys,query_class,path,count,run,wall_ms,scan_calls,max_call_us,"
            + "probe_max_ms,keys_found,server_ms,probe_p99_ms,probe_p999_ms";

    String csvLine() {
        return datasetKeys + "," + Stats.csvField(queryClass) + "," + Stats.csvField(path) + ","
                + (count == null ? "" : count) + "," + run + "," + Stats.fixed(wallMillis, 3) + "," + scanCalls + ","
                + (maxCallMicros == null ? "" : maxCallMicros) + "," + Stats.fixed(probeMaxMillis, 2) + ","
                + keysFound + "," + Stats.fixed(serverMillis, 3) + ","
                + Stats.fixed(Stats.percentileMillis(probeRoundTrips, 99), 2) + ","
                + Stats.fixed(Stats.percentileMillis(probeRoundTrips, 99.9), 2);
    }
}
