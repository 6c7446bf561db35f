package io.keyscan.bench;

import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.RailsPerformanceDataset;
import io.keyscan.testkit.RedisBinary;
import io.keyscan.testkit.RedisServer;
import io.keyscan.testkit.RedisServers;
import io.lettuce.core.RedisURI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The server a load test lists, holding its dataset, and the answer every listing must give: KEYS' answer, sorted
 * and distinct (and, when the test loaded the dataset, checked against the dataset's own keys first).
 */
final class LoadTarget implements AutoCloseable {

    final RedisServer server;
    final String version;
    final ExpectedKeys expected;
    final String description;

    private LoadTarget(RedisServer server, String version, ExpectedKeys expected, String description) {
        this.server = server;
        this.version = version;
        this.expected = expected;
        this.description = description;
    }

    /** Starts (or reaches) the server, loads the dataset when the test writes, reads the reference with KEYS. */
    static LoadTarget open(LoadArguments arguments, java.util.function.Consumer<String> say) {
        if (arguments.server != null) {
            RedisBinary.named(arguments.server, "--server"); // a matrix name must be built
            System.setProperty(RedisBinary.PROPERTY_BINARY, arguments.server);
        }
        RedisServer server = arguments.redisUrl != null ? RedisServers.external(RedisURI.create(arguments.redisUrl))
                : arguments.server != null ? LocalRedisServer.start() : RedisServers.start();
        try {
            String version = Target.product(server);
            say.accept(version + ": " + server.source());
            String loaded = "";
            List<String> fromDataset = null;
            if (arguments.writes()) {
                long start = System.nanoTime();
                RailsPerformanceDataset dataset = RailsPerformanceDataset.generate(arguments.keys,
                        KeysVersusScanBenchmark.SEED);
                server.admin().flushdb();
                dataset.load(server);
                long dbsize = server.admin().dbsize();
                if (dbsize != arguments.keys) {
                    throw new IllegalStateException("loaded " + arguments.keys + " keys but the database holds "
                            + dbsize);
                }
                loaded = String.format(Locale.ROOT, "%,d rails_performance-shaped records loaded (seed %d) in %s",
                        arguments.keys, KeysVersusScanBenchmark.SEED, Stats.duration(System.nanoTime() - start));
                say.accept(loaded);
                if (arguments.pattern.equals(LoadArguments.DEFAULT_PATTERN)) {
                    fromDataset = dataset.sortedKeys(entry -> entry.key().startsWith("performance|"));
                }
            } else {
                loaded = String.format(Locale.ROOT, "the %,d keys the server holds (read-only)",
                        server.admin().dbsize());
            }
            List<String> reference = new ArrayList<>(new TreeSet<>(server.admin().keys(arguments.pattern)));
            if (fromDataset != null && !fromDataset.equals(reference)) {
                throw new IllegalStateException("KEYS " + arguments.pattern + " answers " + reference.size()
                        + " keys, but the dataset loaded has " + fromDataset.size() + " matching");
            }
            if (reference.isEmpty()) {
                throw new IllegalStateException("no key matches " + arguments.pattern + ": nothing to list");
            }
            say.accept(String.format(Locale.ROOT, "KEYS %s: %,d keys, the answer every listing must give",
                    arguments.pattern, reference.size()));
            return new LoadTarget(server, version, new ExpectedKeys(reference),
                    version + " (" + server.source() + "), " + loaded);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    RedisURI uri() {
        return server.redisUri();
    }

    @Override
    public void close() {
        server.close();
    }
}
