package io.keyscan.measure;

import io.keyscan.testkit.CommandStats;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.RailsPerformanceDataset;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The measurement behind auto-tuning's start COUNTs ({@code docs/tuning.md}): the server time of one SCAN call
 * per COUNT unit, by query class, over rails_performance-shaped keys, from {@code INFO commandstats}.
 *
 * <pre>./mvnw -q -B package -DskipTests -pl benchmarks -am
 * java -cp benchmarks/target/benchmarks.jar io.keyscan.measure.ScanCostByClass 1000000</pre>
 */
public final class ScanCostByClass {

    private ScanCostByClass() {
    }

    public static void main(String[] args) {
        int keys = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
        try (LocalRedisServer server = LocalRedisServer.start()) {
            RailsPerformanceDataset dataset = RailsPerformanceDataset.generate(keys, 1);
            dataset.load(server);
            RedisCommands<String, String> redis = server.admin();
            Map<String, String> queries = new LinkedHashMap<>();
            queries.put("match_all", "*");
            queries.put("date_scoped", RailsPerformanceDataset.dateQuery("20260204"));
            queries.put("lookup", RailsPerformanceDataset.requestQuery(dataset.someRequestId(keys / 2)));
            queries.put("broad", RailsPerformanceDataset.controllerQuery("UsersController"));
            System.out.printf(Locale.ROOT, "Redis %s, %,d keys%n%-12s %6s %6s %10s %14s%n", server.version(), keys,
                    "class", "count", "calls", "us/call", "us/COUNT unit");
            for (int count : new int[] {100, 500, 1000, 2000, 5000}) {
                for (Map.Entry<String, String> query : queries.entrySet()) {
                    server.resetStats();
                    ScanCursor cursor = ScanCursor.INITIAL;
                    do {
                        KeyScanCursor<String> page = redis.scan(cursor,
                                ScanArgs.Builder.limit(count).match(query.getValue()));
                        cursor = page;
                    } while (!cursor.isFinished());
                    CommandStats stats = server.commandStats("scan");
                    double perCall = stats.usec() / (double) stats.calls();
                    System.out.printf(Locale.ROOT, "%-12s %6d %6d %10.1f %14.3f%n", query.getKey(), count,
                            stats.calls(), perCall, perCall / count);
                }
            }
        }
    }
}
