package io.keyscan.bench;

import java.util.List;
import java.util.Locale;

/**
 * One round of a load test: {@code concurrency} listings of one path at once.
 *
 * @param path {@code fetchKeys}, {@code scan} or {@code GET /keys}
 * @param concurrency listings at once
 * @param expectedKeys keys each listing must return
 * @param exact listings that returned exactly the KEYS answer
 * @param failed listings that failed (an error, or a different answer); {@code exact + failed == concurrency}
 * @param wallSeconds from the first subscription (request) to the last listing's end
 * @param listingMedianSeconds the median of the listings' own times
 * @param listingMaxSeconds the longest listing
 * @param probeP999Millis the PING probe's 99.9th percentile over the round
 * @param probeMaxMillis the probe's longest PING
 * @param peakHeapMegabytes the measured JVM's peak heap use (before a collection: with a large heap, partly garbage)
 * @param liveHeapMegabytes the largest heap left after a collection: an upper bound of what the round kept live
 *     (a young collection leaves the old generation's garbage in place)
 * @param peakRssMegabytes the measured JVM's peak RSS over the round
 * @param rssBeforeMegabytes its RSS when the round started
 * @param collections garbage collections during the round (-1 unknown)
 * @param gcPauseMillis their total pause (-1 unknown)
 * @param loadBefore the 1/5/15-minute load averages at the start
 * @param loadAfter and at the end
 */
record LoadRow(String path, int concurrency, int expectedKeys, int exact, int failed, double wallSeconds,
        double listingMedianSeconds, double listingMaxSeconds, double probeP999Millis, double probeMaxMillis,
        double peakHeapMegabytes, double liveHeapMegabytes, double peakRssMegabytes, double rssBeforeMegabytes, long collections,
        long gcPauseMillis, String loadBefore, String loadAfter) {

    static final List<String> CSV_HEADER = List.of("path", "concurrency", "keys_per_listing", "exact", "failed",
            "wall_s", "keys_per_s", "listing_median_s", "listing_max_s", "probe_p999_ms", "probe_max_ms",
            "peak_heap_mb", "live_heap_mb", "peak_rss_mb", "rss_before_mb", "gc_count", "gc_pause_ms", "load_before",
            "load_after");

    /** Keys delivered per second, all listings together (exact ones only). */
    double keysPerSecond() {
        return wallSeconds > 0 ? (double) exact * expectedKeys / wallSeconds : 0;
    }

    boolean allExact() {
        return exact == concurrency && failed == 0;
    }

    List<String> csvFields() {
        return List.of(path, Integer.toString(concurrency), Integer.toString(expectedKeys), Integer.toString(exact),
                Integer.toString(failed), Stats.fixed(wallSeconds, 2), Long.toString(Math.round(keysPerSecond())),
                Stats.fixed(listingMedianSeconds, 2), Stats.fixed(listingMaxSeconds, 2),
                Stats.fixed(probeP999Millis, 2), Stats.fixed(probeMaxMillis, 2), Stats.fixed(peakHeapMegabytes, 0),
                Stats.fixed(liveHeapMegabytes, 0), Stats.fixed(peakRssMegabytes, 0), Stats.fixed(rssBeforeMegabytes, 0), Long.toString(collections),
                Long.toString(gcPauseMillis), loadBefore, loadAfter);
    }

    String markdownRow() {
        return String.format(Locale.ROOT, "| %d | `%s` | %s | %s | %,d | %s / %s | %s / %s | %,d / %,d | %,d (%,d before) | %s | %s |",
                concurrency, path, allExact() ? "yes, " + exact + "/" + concurrency
                        : "**NO: " + exact + "/" + concurrency + " exact, " + failed + " failed**",
                Stats.fixed(wallSeconds, 1), Math.round(keysPerSecond()), Stats.fixed(listingMedianSeconds, 1),
                Stats.fixed(listingMaxSeconds, 1), Stats.millis(probeP999Millis), Stats.millis(probeMaxMillis),
                Math.round(peakHeapMegabytes), Math.round(liveHeapMegabytes), Math.round(peakRssMegabytes), Math.round(rssBeforeMegabytes),
                collections < 0 ? "n/a" : collections + " / " + String.format(Locale.ROOT, "%,d", gcPauseMillis) + " ms",
                loadBefore + " → " + loadAfter);
    }

    static final String MARKDOWN_HEADER = String.join("\n",
            "| N | path | exact | wall s | keys/s | listing median / max s | probe p99.9 / max ms | peak heap / "
                    + "largest after a GC MB | peak RSS MB (before) | GCs / pause | load average (1/5/15 min) |",
            "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
}
