package io.keyscan.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** Writes {@code results.csv}, {@code runs.csv} and {@code results.md}. */
final class Reports {

    private Reports() {
    }

    /**
     * What the Markdown header says about the run.
     *
     * @param started when the run started
     * @param command the command that ran it
     * @param machine cores, RAM, OS, JDK, commit
     * @param redisVersion the server and its version, e.g. Redis 7.0.15, Valkey 9.1.2
     * @param redisSource where the server came from
     * @param runs how many measured runs, in words
     * @param callMethod how the longest call was measured
     * @param patterns query class name to pattern, per dataset size (request ids and literal keys differ)
     * @param load the machine's load averages during the run
     * @param elapsedNanos how long the whole run took so far
     * @param complete whether every dataset has been measured
     * @param readOnly whether the data was the server's own (not loaded by the benchmark)
     * @param cluster {@code null} for one server; for a Redis Cluster, its masters and replicas in words
     * @param probes how many probe clients ran (one per master on a cluster)
     * @param network {@code null} over loopback; the added round trip in words
     */
    record RunInfo(Instant started, String command, Machine machine, String redisVersion, String redisSource,
            String runs, String callMethod, Map<Long, Map<String, String>> patterns, String load, long elapsedNanos,
            boolean complete, boolean readOnly, @Nullable String cluster, int probes, @Nullable String network) {
    }

    static void writeCsv(Path file, List<ResultRow> rows) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(ResultRow.CSV_HEADER);
        for (ResultRow row : rows) {
            lines.add(row.csvLine());
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    static void writeRunsCsv(Path file, List<RunSample> samples) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(RunSample.CSV_HEADER);
        for (RunSample sample : samples) {
            lines.add(sample.csvLine());
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    static void writeMarkdown(Path file, RunInfo info, List<ResultRow> rows) throws IOException {
        Files.writeString(file, markdown(info, rows), StandardCharsets.UTF_8);
    }

    static String markdown(RunInfo info, List<ResultRow> rows) {
        StringBuilder md = new StringBuilder();
        boolean cluster = info.cluster() != null;
        md.append(cluster ? "# KEYS vs SCAN on a Redis Cluster: rails_performance-shaped keys\n\n"
                : "# KEYS vs SCAN: rails_performance-shaped keys\n\n");
        if (!info.complete()) {
            md.append("**Incomplete: the run is still going or stopped early; these are the datasets measured so far.**\n\n");
        }
        md.append("| | |\n|---|---|\n");
        md.append("| date | ").append(DateTimeFormatter.ISO_INSTANT.format(info.started().atOffset(ZoneOffset.UTC)
                .withNano(0).toInstant())).append(" |\n");
        md.append("| command | `").append(info.command()).append("` |\n");
        md.append("| machine | ").append(info.machine().cores()).append(" cores, ").append(info.machine().memory())
                .append(", ").append(info.machine().os()).append(" |\n");
        md.append("| JDK | ").append(info.machine().jdk()).append(" |\n");
        md.append("| server | ").append(info.redisVersion()).append(": ").append(cell(info.redisSource())).append(" |\n");
        md.append("| network | ").append(info.network() == null ? "loopback" : cell(info.network())).append(" |\n");
        if (cluster) {
            md.append("| cluster | ").append(cell(info.cluster())).append(" |\n");
        }
        md.append("| keyscan | ").append(info.machine().commit()).append(" |\n");
        md.append("| runs | ").append(info.runs()).append(" |\n");
        md.append("| longest call | ").append(cell(info.callMethod())).append(" |\n");
        md.append("| load average (1, 5, 15 min) | ").append(info.load()).append(" |\n");
        md.append("| duration | ").append(Stats.duration(info.elapsedNanos())).append(" |\n\n");

        md.append("Every path returns the full sorted, distinct `List<String>`, and every run was checked to be exactly ");
        md.append(info.readOnly() ? "the KEYS answer" : "the loaded dataset's answer (which KEYS returned too)");
        md.append(". `SCAN_AUTO` is keyscan's auto-tuned COUNT as the engine chose it at the commit above: ");
        md.append("its numbers describe that commit, not keyscan in general. `LETTUCE_SCANSTREAM` is Lettuce's ");
        md.append("`ScanStream.scan(reactive, ScanArgs.Builder.matches(pattern))`, which sends no COUNT (Redis' ");
        md.append("default, 10), collected, sorted and de-duplicated.\n\n");
        md.append("Columns: **median** wall time of the complete listing; **× KEYS** that median over KEYS' median; ");
        md.append("**SCAN calls** per listing as the server counted them (`INFO commandstats`); **longest call** on the ");
        md.append("server, in µs, of the path's command (KEYS for the KEYS path, SCAN otherwise), over all runs; ");
        md.append("**probe max** the longest round trip of a second client PINGing on its own connection, in a JVM of ");
        md.append("its own, during the runs: how long other clients waited; **probe p99 / p99.9** the percentiles of ");
        md.append("all its round trips over the runs (HdrHistogram, 3 significant digits); **server ms** the ");
        md.append("median over the runs of the server's own time for the listing's commands: the `usec` that ");
        md.append("`INFO commandstats` adds up for SCAN, KEYS and EXISTS, read before and after each listing");
        md.append(cluster ? " (the busiest master's: the masters work at once)" : "");
        md.append(", the floor no client can go under with those commands; **× server** the median wall time over ");
        md.append("it. Raw numbers: `results.csv` (summary), ");
        md.append("`runs.csv` (every run); chart: `chart.png`.\n\n");
        if (cluster) {
            md.append("On the cluster: `KEYS` is keyscan's `fetchKeys` with `useScan = false`, which sends KEYS to ");
            md.append("every master and merges the replies; `SCAN` and `SCAN_AUTO` list every master at once ");
            md.append("(keyscan's default `nodeConcurrency`, all); Lettuce's cluster `ScanStream` walks the masters ");
            md.append("one after the other. All paths share one `RedisClusterClient` connection. **SCAN calls** are ");
            md.append("summed over the masters; **longest call** is the longest single call on any master; **probe ");
            md.append("max** is the longest PING of ").append(info.probes()).append(" probe clients, one per master, ");
            md.append("each in its own JVM (the longest any client of any master waited). The `literal` class is one ");
            md.append("`EXISTS` through the cluster connection on keyscan's paths.\n\n");
        }

        Map<Long, List<ResultRow>> bySize = new TreeMap<>();
        for (ResultRow row : rows) {
            bySize.computeIfAbsent(row.datasetKeys(), k -> new ArrayList<>()).add(row);
        }
        if (!bySize.isEmpty()) {
            long largest = ((TreeMap<Long, List<ResultRow>>) bySize).lastKey();
            md.append(String.format(Locale.ROOT, "## Headline: %,d keys%n%n", largest));
            md.append("| class | KEYS ms (server ms) | SCAN_AUTO ms (× KEYS) | SCAN_AUTO server ms (× server) "
                    + "| LETTUCE_SCANSTREAM ms (× KEYS) | longest call µs: KEYS / SCAN_AUTO / Lettuce "
                    + "| probe max ms: KEYS / SCAN_AUTO / Lettuce | probe p99.9 ms: KEYS / SCAN_AUTO / Lettuce |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
            Map<String, Map<String, ResultRow>> byClass = new LinkedHashMap<>();
            for (ResultRow row : bySize.get(largest)) {
                byClass.computeIfAbsent(row.queryClass(), k -> new LinkedHashMap<>()).put(row.label(), row);
            }
            for (Map.Entry<String, Map<String, ResultRow>> entry : byClass.entrySet()) {
                ResultRow keys = entry.getValue().get("KEYS");
                ResultRow auto = entry.getValue().get("SCAN_AUTO");
                ResultRow lettuce = entry.getValue().get("LETTUCE_SCANSTREAM");
                md.append("| ").append(entry.getKey())
                        .append(" | ").append(ms(keys)).append(keys == null ? "" : " (" + server(keys) + ")")
                        .append(" | ").append(msRatio(auto))
                        .append(" | ").append(auto == null ? "-" : server(auto) + " (" + toServer(auto) + ")")
                        .append(" | ").append(msRatio(lettuce))
                        .append(" | ").append(call(keys)).append(" / ").append(call(auto)).append(" / ").append(call(lettuce))
                        .append(" | ").append(probe(keys)).append(" / ").append(probe(auto)).append(" / ")
                        .append(probe(lettuce))
                        .append(" | ").append(p999(keys)).append(" / ").append(p999(auto)).append(" / ")
                        .append(p999(lettuce)).append(" |\n");
            }
            md.append('\n');
        }

        for (Map.Entry<Long, List<ResultRow>> size : bySize.entrySet()) {
            md.append(String.format(Locale.ROOT, "## %,d keys%n%n", size.getKey()));
            Map<String, String> patterns = info.patterns().getOrDefault(size.getKey(), Map.of());
            md.append("| class | pattern | keys found |\n|---|---|---:|\n");
            Map<String, Integer> found = new LinkedHashMap<>();
            for (ResultRow row : size.getValue()) {
                found.putIfAbsent(row.queryClass(), row.keysFound());
            }
            for (Map.Entry<String, Integer> entry : found.entrySet()) {
                md.append("| ").append(entry.getKey()).append(" | `")
                        .append(cell(patterns.getOrDefault(entry.getKey(), "?"))).append("` | ")
                        .append(String.format(Locale.ROOT, "%,d", entry.getValue())).append(" |\n");
            }
            md.append('\n');
            md.append("| class | path | COUNT | runs | median ms | × KEYS | SCAN calls | longest call µs | probe max ms "
                    + "| server ms | × server | probe p99 ms | probe p99.9 ms |\n");
            md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (ResultRow row : size.getValue()) {
                md.append("| ").append(row.queryClass())
                        .append(" | ").append(row.path())
                        .append(" | ").append(row.count() == null ? "" : String.format(Locale.ROOT, "%,d", row.count()))
                        .append(" | ").append(row.runs())
                        .append(" | ").append(Stats.millis(row.medianMillis()))
                        .append(" | ").append(Stats.fixed(row.ratioToKeys(), 2))
                        .append(" | ").append(row.path().equals("KEYS") ? "-" : Stats.calls(row.scanCalls()))
                        .append(" | ").append(row.maxCallMicros() == null ? "n/a"
                                : String.format(Locale.ROOT, "%,d", row.maxCallMicros()))
                        .append(" | ").append(Stats.millis(row.probeMaxMillis()))
                        .append(" | ").append(server(row))
                        .append(" | ").append(toServer(row))
                        .append(" | ").append(Stats.millis(row.probeP99Millis()))
                        .append(" | ").append(Stats.millis(row.probeP999Millis()))
                        .append(" |\n");
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static String ms(ResultRow row) {
        return row == null ? "-" : Stats.millis(row.medianMillis());
    }

    private static String msRatio(ResultRow row) {
        return row == null ? "-" : Stats.millis(row.medianMillis()) + " (" + Stats.fixed(row.ratioToKeys(), 2) + ")";
    }

    private static String call(ResultRow row) {
        return row == null || row.maxCallMicros() == null ? "n/a"
                : String.format(Locale.ROOT, "%,d", row.maxCallMicros());
    }

    private static String probe(ResultRow row) {
        return row == null ? "-" : Stats.millis(row.probeMaxMillis());
    }

    private static String p999(ResultRow row) {
        return row == null ? "-" : Stats.millis(row.probeP999Millis());
    }

    /** The server's own time, down to the microsecond that {@code INFO commandstats} counts in. */
    static String server(ResultRow row) {
        double ms = row.medianServerMillis();
        return ms < 1 ? Stats.fixed(ms, 3) : Stats.millis(ms);
    }

    /** Wall time over server time, or {@code n/a} when the server counted no time. */
    static String toServer(ResultRow row) {
        Double ratio = row.ratioToServer();
        return ratio == null ? "n/a" : ratio >= 100 ? String.format(Locale.ROOT, "%,d", Math.round(ratio))
                : Stats.fixed(ratio, 2);
    }

    /** Text safe inside a Markdown table cell: {@code |} escaped, line breaks removed. */
    static String cell(String text) {
        return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ");
    }
}
