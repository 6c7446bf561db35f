package io.keyscan.bench;

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
 */
record RunSample(long datasetKeys, String queryClass, String path, @Nullable Integer count, int run,
        double wallMillis, long scanCalls, @Nullable Long maxCallMicros, double probeMaxMillis, int keysFound) {

    /** The header of {@code runs.csv}: every measured run, unsummarised. */
    static final String CSV_HEADER =
            "dataset_keys,query_class,path,count,run,wall_ms,scan_calls,max_call_us,probe_max_ms,keys_found";

    String csvLine() {
        return datasetKeys + "," + Stats.csvField(queryClass) + "," + Stats.csvField(path) + ","
                + (count == null ? "" : count) + "," + run + "," + Stats.fixed(wallMillis, 3) + "," + scanCalls + ","
                + (maxCallMicros == null ? "" : maxCallMicros) + "," + Stats.fixed(probeMaxMillis, 2) + ","
                + keysFound;
    }
}
