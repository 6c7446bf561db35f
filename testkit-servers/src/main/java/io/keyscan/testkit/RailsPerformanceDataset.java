package io.keyscan.testkit;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * Keys shaped like the ones the rails_performance gem writes (its {@code lib/rails_performance} record types),
 * generated deterministically from a seed, with the gem's query shapes and the exact answer to each.
 *
 * <p>About 80% are request records:
 * {@code performance|controller|C|action|A|format|F|status|S|datetime|20260204T0523|datetimei|1770182580|method|GET|path|/p|request_id|R|END|1.0.2};
 * the rest are {@code sidekiq|}, {@code grape|}, {@code rake|}, {@code delayed_job|} and {@code custom|}
 * records. Timestamps spread over {@link #DAYS}. Every key is distinct (the request id holds the index).
 */
public final class RailsPerformanceDataset {

    /** The days the records spread over. */
    public static final List<String> DAYS = List.of("20260201", "20260202", "20260203", "20260204", "20260205",
            "20260206", "20260207");

    /** The controllers of request records. */
    public static final List<String> CONTROLLERS = List.of("HomeController", "UsersController",
            "OrdersController", "ProductsController", "Api::V1::ItemsController", "SessionsController",
            "ReportsController", "SearchController", "Admin::DashboardController", "CartController");

    private static final List<String> ACTIONS = List.of("index", "show", "create", "update", "destroy", "search");
    private static final List<String> FORMATS = List.of("html", "json");
    private static final List<String> STATUSES = List.of("200", "200", "200", "201", "302", "404", "500");
    private static final List<String> METHODS = List.of("GET", "GET", "GET", "POST", "PUT", "DELETE");
    private static final List<String> QUEUES = List.of("default", "mailers", "critical");
    private static final List<String> WORKERS = List.of("HardJob", "MailerJob", "ReportJob");
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");

    private final List<Entry> entries;

    private RailsPerformanceDataset(List<Entry> entries) {
        this.entries = Collections.unmodifiableList(entries);
    }

    /**
     * One generated record.
     *
     * @param key the Redis key
     * @param kind the record type: performance, sidekiq, grape, rake, delayed_job or custom
     * @param controller the controller of a request record, else empty
     * @param day the record's day, {@code yyyyMMdd}
     * @param requestId the request id of a request record, else empty
     */
    public record Entry(String key, String kind, String controller, String day, String requestId) {
    }

    /** {@code size} records from {@code seed}; the same arguments give the same keys. */
    public static RailsPerformanceDataset generate(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        LocalDateTime firstDay = LocalDateTime.parse(DAYS.get(0) + "T0000", MINUTE);
        List<Entry> entries = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            LocalDateTime at = firstDay.plusMinutes(random.nextInt(DAYS.size() * 24 * 60));
            String datetime = at.format(MINUTE);
            long epoch = at.toEpochSecond(ZoneOffset.UTC);
            String day = at.format(DAY);
            String id = String.format("%016x%08x", random.nextLong(), i);
            int kind = random.nextInt(100);
            if (kind < 80) {
                String controller = pick(random, CONTROLLERS);
                String key = "performance|controller|" + controller + "|action|" + pick(random, ACTIONS)
                        + "|format|" + pick(random, FORMATS) + "|status|" + pick(random, STATUSES)
                        + "|datetime|" + datetime + "|datetimei|" + epoch + "|method|" + pick(random, METHODS)
                        + "|path|/" + controller.toLowerCase().replace("controller", "").replace("::", "/")
                        + "/" + random.nextInt(1000) + "|request_id|" + id + "|END|1.0.2";
                entries.add(new Entry(key, "performance", controller, day, id));
            } else if (kind < 90) {
                entries.add(new Entry("sidekiq|queue|" + pick(random, QUEUES) + "|worker|" + pick(random, WORKERS)
                        + "|jid|" + id + "|datetime|" + datetime + "|datetimei|" + epoch + "|enqueued_ati|" + epoch
                        + "|start_timei|" + epoch + "|status|success|END|1.0.2", "sidekiq", "", day, ""));
            } else if (kind < 95) {
                entries.add(new Entry("grape|datetime|" + datetime + "|datetimei|" + epoch + "|format|json|path|/api/v1/"
                        + random.nextInt(1000) + "|status|200|method|GET|request_id|" + id + "|END|1.0.2", "grape",
                        "", day, ""));
            } else {
                String other = pick(random, List.of("rake", "delayed_job", "custom"));
                entries.add(new Entry(other + "|task|" + id + "|datetime|" + datetime + "|datetimei|" + epoch
                        + "|status|success|END|1.0.2", other, "", day, ""));
            }
        }
        return new RailsPerformanceDataset(entries);
    }

    private static String pick(SplittableRandom random, List<String> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** Every record. */
    public List<Entry> entries() {
        return entries;
    }

    /** Every key, in generation order. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            keys.add(entry.key());
        }
        return keys;
    }

    /** The keys of the records {@code filter} accepts, sorted. */
    public List<String> sortedKeys(Predicate<Entry> filter) {
        List<String> keys = new ArrayList<>();
        for (Entry entry : entries) {
            if (filter.test(entry)) {
                keys.add(entry.key());
            }
        }
        Collections.sort(keys);
        return keys;
    }

    /** The gem's report query for one day: {@code performance|*datetime|20260204*|*END|1.0.2}. */
    public static String dateQuery(String day) {
        return "performance|*datetime|" + day + "*|*END|1.0.2";
    }

    /** The gem's request lookup: {@code performance|*|request_id|<id>|*}. */
    public static String requestQuery(String requestId) {
        return "performance|*|request_id|" + requestId + "|*";
    }

    /** A broad query over one controller's request records. */
    public static String controllerQuery(String controller) {
        return "performance|controller|" + controller + "|*";
    }

    /** A request id of this dataset (the one of the first request record at or after {@code index}). */
    public String someRequestId(int index) {
        for (int i = index; i < index + entries.size(); i++) {
            Entry entry = entries.get(i % entries.size());
            if (!entry.requestId().isEmpty()) {
                return entry.requestId();
            }
        }
        throw new IllegalStateException("no request record");
    }

    /**
     * Writes every key (value {@code "1"}) to {@code server} with pipelined MSETs of 1000 keys. Does not flush
     * first.
     */
    public void load(RedisServer server) {
        load(server.redisUri());
    }

    /**
     * Writes every key to the server at {@code uri}; see {@link #load(RedisServer)}. A standalone server only: a
     * cluster refuses an MSET of keys of different slots; use {@code cluster.loadKeys(dataset.keys())}
     * ({@link LocalRedisCluster#loadKeys}) there.
     */
    public void load(RedisURI uri) {
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            connection.setTimeout(Duration.ofMinutes(2));
            RedisAsyncCommands<String, String> async = connection.async();
            connection.setAutoFlushCommands(false);
            List<RedisFuture<String>> pending = new ArrayList<>();
            Map<String, String> batch = new HashMap<>();
            for (Entry entry : entries) {
                batch.put(entry.key(), "1");
                if (batch.size() == 1000) {
                    pending.add(async.mset(batch));
                    batch = new HashMap<>();
                }
                if (pending.size() == 50) {
                    await(connection, pending);
                }
            }
            if (!batch.isEmpty()) {
                pending.add(async.mset(batch));
            }
            await(connection, pending);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static void await(StatefulRedisConnection<String, String> connection, List<RedisFuture<String>> pending) {
        connection.flushCommands();
        if (!LettuceFutures.awaitAll(Duration.ofMinutes(2), pending.toArray(new RedisFuture[0]))) {
            throw new IllegalStateException("loading keys timed out");
        }
        pending.clear();
    }
}
