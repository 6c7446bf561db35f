package io.keyscan.testkit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A real Redis server that tests, the demo and the benchmark talk to, with the administrative reads they
 * assert on: command statistics, the slow log, the run id. Closing it stops the server if this JVM started it.
 */
public abstract class RedisServer implements AutoCloseable {

    private RedisClient adminClient;
    private StatefulRedisConnection<String, String> adminConnection;

    /** Where this server came from, e.g. {@code redis-server on the PATH (/usr/bin/redis-server, 7.0.15)}. */
    public abstract String source();

    /** The URI clients connect with; may carry credentials for an external server. */
    public abstract RedisURI redisUri();

    /** {@code redis://host:port} ({@code rediss://} with TLS), without credentials. */
    public String uri() {
        RedisURI uri = redisUri();
        return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort();
    }

    /** A synchronous connection for set-up and assertions, created on first use and shared. */
    public synchronized RedisCommands<String, String> admin() {
        if (adminConnection == null || !adminConnection.isOpen()) {
            closeAdmin();
            RedisURI uri = redisUri();
            uri.setTimeout(Duration.ofSeconds(60));
            adminClient = RedisClient.create(uri);
            adminClient.setOptions(adminClientOptions());
            adminConnection = adminClient.connect();
        }
        return adminConnection.sync();
    }

    /**
     * Sets the string keys {@code from} (inclusive) to {@code to} (exclusive): key {@code i} is {@code key.apply(i)}
     * with the value {@code value.apply(i)}, one MSET per 1,000 keys through {@link #admin()}, in order of {@code i}.
     */
    public void mset(int from, int to, IntFunction<String> key, IntFunction<String> value) {
        Map<String, String> batch = new HashMap<>();
        for (int i = from; i < to; i++) {
            batch.put(key.apply(i), value.apply(i));
            if (batch.size() == 1000 || i == to - 1) {
                admin().mset(batch);
                batch.clear();
            }
        }
    }

    /**
     * The options of the {@link #admin()} client; Lettuce's defaults here. A server whose certificate the JVM
     * does not trust (a test CA) overrides this to trust it.
     */
    protected ClientOptions adminClientOptions() {
        return ClientOptions.create();
    }

    /** Drops the admin connection (e.g. after the server was restarted, so the next call reconnects at once). */
    public synchronized void closeAdmin() {
        if (adminConnection != null) {
            adminConnection.close();
            adminConnection = null;
        }
        if (adminClient != null) {
            adminClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            adminClient = null;
        }
    }

    /** FLUSHALL: removes every key of every database. */
    public void flushAll() {
        admin().flushall();
    }

    /** {@code CONFIG RESETSTAT} and {@code SLOWLOG RESET}: command statistics and the slow log start from zero. */
    public void resetStats() {
        admin().configResetstat();
        admin().slowlogReset();
    }

    /** Calls and server time of {@code command} since the last reset, from {@code INFO commandstats}. */
    public CommandStats commandStats(String command) {
        return CommandStats.parse(admin().info("commandstats"), command);
    }

    /** The slow log, newest first, as far as the server keeps it ({@code slowlog-max-len}). */
    public List<SlowlogEntry> slowlog() {
        List<Object> raw = admin().slowlogGet(-1);
        List<SlowlogEntry> entries = new ArrayList<>(raw.size());
        for (Object entry : raw) {
            entries.add(SlowlogEntry.parse((List<?>) entry));
        }
        return entries;
    }

    /** The server process' {@code run_id}, which changes at every start. */
    public String runId() {
        return infoField("server", "run_id");
    }

    /** The server's version, e.g. {@code 7.0.15}. */
    public String version() {
        return infoField("server", "redis_version");
    }

    /** The major version number, e.g. 7. */
    public int majorVersion() {
        return Integer.parseInt(version().split("\\.")[0]);
    }

    /** One field of an {@code INFO} section. */
    public String infoField(String section, String field) {
        for (String line : admin().info(section).split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        throw new IllegalStateException("INFO " + section + " has no field " + field);
    }

    @Override
    public void close() {
        closeAdmin();
    }

    @Override
    public String toString() {
        return source();
    }
}
