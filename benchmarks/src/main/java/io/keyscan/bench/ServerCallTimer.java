package io.keyscan.bench;

import io.keyscan.testkit.CommandStats;
import io.keyscan.testkit.RedisServer;
import io.keyscan.testkit.SlowlogEntry;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads, for each measured run, how many SCAN calls the server executed, how long its longest single call of a
 * command took, and how much server time the listing's commands took in all, from the server itself.
 *
 * <ul>
 *   <li>Redis 7+: {@code INFO latencystats} with {@code latency-tracking-info-percentiles "100"}, after a
 *       {@code CONFIG RESETSTAT} before each run. Its histogram keeps 2 significant digits (about 1%) and stops
 *       at 1 second, so calls of {@value #SLOWLOG_BACKSTOP_MICROS} µs and more are also logged with
 *       {@code SLOWLOG} (exact), and the larger of the two is taken.</li>
 *   <li>Older servers: {@code SLOWLOG} with {@code slowlog-log-slower-than 0} (every call) and a long
 *       {@code slowlog-max-len}, reset before each run.</li>
 *   <li>A server that refuses {@code CONFIG}: no longest call (empty in the CSV); SCAN calls from
 *       {@code INFO commandstats} differences.</li>
 * </ul>
 *
 * The listing's server time is the difference, over the run, of the {@code usec} that {@code INFO commandstats}
 * adds up for SCAN, KEYS and EXISTS (the commands a listing sends; not the probe's PING nor the harness' own INFO and
 * CONFIG calls), read before and after the listing: differences, so they hold whether or not the statistics were
 * reset in between.
 *
 * <p>Whatever it changed is set back by {@link #close()}.
 */
final class ServerCallTimer implements AutoCloseable {

    /** Calls at least this long are also taken from SLOWLOG on Redis 7+ (the latency histogram stops at 1 s). */
    static final long SLOWLOG_BACKSTOP_MICROS = 100_000;

    /** SLOWLOG length in the fallback mode, where every call is logged. */
    static final long FALLBACK_SLOWLOG_LEN = 1_000_000;

    /** The commands a listing sends whose server time counts: SCAN (every SCAN path), KEYS, EXISTS (a literal). */
    static final List<String> LISTING_COMMANDS = List.of("scan", "keys", "exists");

    enum Method {
        LATENCYSTATS, SLOWLOG, NONE
    }

    private final RedisServer server;
    private final Method method;
    private final Map<String, String> previous; // config name -> value to restore, in the order set
    private long scanCallsBefore;
    private long listingMicrosBefore;
    private boolean closed;

    private ServerCallTimer(RedisServer server, Method method, Map<String, String> previous) {
        this.server = server;
        this.method = method;
        this.previous = previous;
    }

    /** Chooses the method the server supports and configures it; {@link #close()} restores the server. */
    static ServerCallTimer configure(RedisServer server) {
        RedisCommands<String, String> admin = server.admin();
        Map<String, String> previous = new LinkedHashMap<>();
        try {
            if (server.majorVersion() >= 7) {
                remember(admin, previous, "latency-tracking-info-percentiles", "slowlog-log-slower-than",
                        "latency-tracking");
                admin.configSet("latency-tracking-info-percentiles", "100");
                if (!"yes".equalsIgnoreCase(previous.get("latency-tracking"))) {
                    admin.configSet("latency-tracking", "yes");
                }
                admin.configSet("slowlog-log-slower-than", Long.toString(SLOWLOG_BACKSTOP_MICROS));
                if (latencystatsWork(admin)) {
                    return new ServerCallTimer(server, Method.LATENCYSTATS, previous);
                }
                restore(admin, previous);
                previous.clear();
            }
            remember(admin, previous, "slowlog-log-slower-than", "slowlog-max-len");
            admin.configSet("slowlog-max-len", Long.toString(FALLBACK_SLOWLOG_LEN));
            admin.configSet("slowlog-log-slower-than", "0");
            return new ServerCallTimer(server, Method.SLOWLOG, previous);
        } catch (RedisException refused) {
            restore(admin, previous);
            return new ServerCallTimer(server, Method.NONE, Map.of());
        }
    }

    /** Whether {@code INFO latencystats} reports a p100 for a command just run. */
    private static boolean latencystatsWork(RedisCommands<String, String> admin) {
        admin.configResetstat();
        admin.ping();
        return p100(admin.info("latencystats"), "ping") != null;
    }

    private static void remember(RedisCommands<String, String> admin, Map<String, String> previous,
            String... names) {
        for (String name : names) {
            Map<String, String> value = admin.configGet(name);
            if (value.containsKey(name)) {
                previous.put(name, value.get(name));
            }
        }
    }

    private static void restore(RedisCommands<String, String> admin, Map<String, String> previous) {
        for (Map.Entry<String, String> setting : previous.entrySet()) {
            try {
                admin.configSet(setting.getKey(), setting.getValue());
            } catch (RedisException e) {
                System.err.println("warning: could not restore " + setting.getKey() + " to '" + setting.getValue()
                        + "': " + e.getMessage());
            }
        }
    }

    Method method() {
        return method;
    }

    /** For the report: how the longest call was measured. */
    String description() {
        return switch (method) {
            case LATENCYSTATS -> "`INFO latencystats` p100 (Redis 7+, `latency-tracking-info-percentiles \"100\"`, "
                    + "`CONFIG RESETSTAT` before each run; histogram precision about 1%, capped at 1 s), and "
                    + "`SLOWLOG` for calls of " + SLOWLOG_BACKSTOP_MICROS / 1000 + " ms or more (exact); the larger";
            case SLOWLOG -> "`SLOWLOG` with `slowlog-log-slower-than 0` (every call logged, reset before each run; "
                    + "the server is older than 7.0 or has no latency tracking)";
            case NONE -> "not measured: the server refused `CONFIG`";
        };
    }

    /** Starts a run: statistics (and the slow log) from zero. */
    void beforeRun() {
        RedisCommands<String, String> admin = server.admin();
        if (method != Method.NONE) {
            admin.configResetstat();
            admin.slowlogReset();
        }
        String stats = server.admin().info("commandstats");
        scanCallsBefore = CommandStats.parse(stats, "scan").calls();
        listingMicrosBefore = listingMicros(stats);
    }

    /** The server time, in µs, of the {@link #LISTING_COMMANDS} in an {@code INFO commandstats} reply. */
    static long listingMicros(String commandstats) {
        long micros = 0;
        for (String command : LISTING_COMMANDS) {
            micros += CommandStats.parse(commandstats, command).usec();
        }
        return micros;
    }

    /**
     * Ends a run of a path whose listing command is {@code command} ({@code scan} or {@code keys}).
     *
     * @return the SCAN calls of the run, the longest single {@code command} call in microseconds (or {@code null}
     *     when unknown), and the server time of the listing's commands
     */
    RunCalls afterRun(String command) {
        String stats = server.admin().info("commandstats");
        long scanCalls = CommandStats.parse(stats, "scan").calls() - scanCallsBefore;
        long listingMicros = listingMicros(stats) - listingMicrosBefore;
        Long maxMicros = switch (method) {
            case LATENCYSTATS -> {
                Double p100 = p100(server.admin().info("latencystats"), command);
                long fromHistogram = p100 == null ? 0 : Math.round(p100);
                long fromSlowlog = slowlogMax(command);
                yield p100 == null && fromSlowlog == 0 ? null : Math.max(fromHistogram, fromSlowlog);
            }
            case SLOWLOG -> slowlogMax(command);
            case NONE -> null;
        };
        return new RunCalls(scanCalls, maxMicros, listingMicros);
    }

    private long slowlogMax(String command) {
        long max = 0;
        for (SlowlogEntry entry : server.slowlog()) {
            if (entry.command().equalsIgnoreCase(command)) {
                max = Math.max(max, entry.micros());
            }
        }
        return max;
    }

    /** {@code latency_percentiles_usec_<command>:p100=1720.319} from {@code INFO latencystats}, or {@code null}. */
    static @Nullable Double p100(String info, String command) {
        String prefix = "latency_percentiles_usec_" + command.toLowerCase(Locale.ROOT) + ":";
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(prefix)) {
                for (String field : line.substring(prefix.length()).split(",")) {
                    String[] kv = field.split("=", 2);
                    if (kv.length == 2 && kv[0].trim().equals("p100")) {
                        return Double.parseDouble(kv[1].trim());
                    }
                }
            }
        }
        return null;
    }

    /** Sets back every configuration value this timer changed. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!previous.isEmpty()) {
            restore(server.admin(), previous);
        }
    }

    /**
     * Server-side counts of one run.
     *
     * @param scanCalls SCAN calls executed
     * @param maxCallMicros the longest single call of the path's command, or {@code null} when unknown
     * @param serverMicros server time of the listing's commands (SCAN, KEYS, EXISTS), from {@code INFO commandstats}
     */
    record RunCalls(long scanCalls, @Nullable Long maxCallMicros, long serverMicros) {
    }
}
