package io.keyscan.testkit;

import io.lettuce.core.RedisURI;
import java.util.Optional;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a Redis server for tests, the demo and the benchmark, in this order, and logs which one it used:
 * <ol>
 *   <li>{@code KEYSCAN_TEST_REDIS_URL}, if set: an existing server. <b>Tests flush it.</b></li>
 *   <li>each {@link Source} that {@link ServiceLoader} finds, in class path order: with keyscan-testkit on the class
 *       path (tests), Testcontainers with the {@code redis:7} image when a Docker engine is reachable. The demo, the
 *       examples and the benchmarks run without keyscan-testkit, so without this step;</li>
 *   <li>a {@code redis-server} started from the {@code PATH} on a free port;</li>
 *   <li>a {@code redis-server} shipped inside a Maven artifact (see {@link RedisBinary}), so a machine with
 *       only a JDK passes too.</li>
 * </ol>
 */
public final class RedisServers {

    /** The environment variable naming an existing server for the tests; they flush it. */
    public static final String ENV_URL = "KEYSCAN_TEST_REDIS_URL";

    private static final Logger log = LoggerFactory.getLogger(RedisServers.class);

    private RedisServers() {
    }

    /** Starts (or connects to) a server by the rules above. The caller closes it. */
    public static RedisServer start() {
        String url = System.getenv(ENV_URL);
        if (url != null && !url.isBlank()) {
            RedisServer server = new External(RedisURI.create(url.trim()), ENV_URL);
            log.info("Using Redis from {}: {} (tests flush it)", ENV_URL, server.redisUri().toString());
            return server;
        }
        for (Source source : ServiceLoader.load(Source.class, Source.class.getClassLoader())) {
            Optional<RedisServer> server = source.start();
            if (server.isPresent()) {
                log.info("Using Redis from {}: {}", source.name(), server.get().source());
                return server.get();
            }
        }
        LocalRedisServer server = LocalRedisServer.start();
        log.info("Using Redis without Docker: {}", server.source());
        return server;
    }

    /** A server this JVM did not start, e.g. the user's; closing it only closes the admin connection. */
    public static RedisServer external(RedisURI uri) {
        return new External(uri, "the server");
    }

    /**
     * A place {@link #start()} asks for a server before it starts a local {@code redis-server}: a
     * {@link ServiceLoader} service (keyscan-testkit's {@code RedisContainers}, Testcontainers).
     */
    public interface Source {

        /** What the log line names, e.g. {@code Testcontainers}. */
        String name();

        /** A started server, or empty when this source has none here (e.g. no Docker engine answers). */
        Optional<RedisServer> start();
    }

    /** A server this JVM did not start. */
    static final class External extends RedisServer {
        private final RedisURI uri;
        private final String label;

        External(RedisURI uri, String label) {
            this.uri = uri;
            this.label = label;
        }

        @Override
        public String source() {
            // host and port only: the URI may carry a password
            return label + " at " + uri.getHost() + ":" + uri.getPort();
        }

        @Override
        public RedisURI redisUri() {
            return RedisURI.builder(uri).build();
        }
    }
}
