package io.keyscan.testkit;

import io.lettuce.core.RedisURI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Finds a Redis server for tests, the demo and the benchmark, in this order, and logs which one it used:
 * <ol>
 *   <li>{@code KEYSCAN_TEST_REDIS_URL}, if set: an existing server. <b>Tests flush it.</b></li>
 *   <li>Testcontainers with the {@code redis:7} image, when a Docker engine is reachable;</li>
 *   <li>a {@code redis-server} started from the {@code PATH} on a free port;</li>
 *   <li>a {@code redis-server} shipped inside a Maven artifact (see {@link RedisBinary}), so a machine with
 *       only a JDK passes too.</li>
 * </ol>
 */
public final class RedisServers {

    /** The environment variable naming an existing server for the tests; they flush it. */
    public static final String ENV_URL = "KEYSCAN_TEST_REDIS_URL";

    /** The image used when Docker is available. */
    public static final String IMAGE = "redis:7";

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
        if (dockerAvailable()) {
            RedisServer server = new Container();
            log.info("Using Redis from Testcontainers: {}", server.source());
            return server;
        }
        LocalRedisServer server = LocalRedisServer.start();
        log.info("Using Redis without Docker: {}", server.source());
        return server;
    }

    /**
     * Whether a Docker engine answers. Asked only when there is a sign of one (a socket or DOCKER_HOST), so a
     * machine without Docker skips Testcontainers' slow probing and its error log.
     */
    static boolean dockerAvailable() {
        boolean hint = System.getenv("DOCKER_HOST") != null
                || Files.exists(Paths.get("/var/run/docker.sock"))
                || Files.exists(Paths.get(System.getProperty("user.home"), ".docker", "run", "docker.sock"))
                || Files.exists(Paths.get(System.getProperty("user.home"), ".testcontainers.properties"));
        if (!hint) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            log.debug("Docker is not usable", e);
            return false;
        }
    }

    /** A server this JVM did not start, e.g. the user's; closing it only closes the admin connection. */
    public static RedisServer external(RedisURI uri) {
        return new External(uri, "the server");
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

    /** A {@code redis:7} container. */
    static final class Container extends RedisServer {
        private final GenericContainer<?> container;

        @SuppressWarnings("resource")
        Container() {
            container = new GenericContainer<>(DockerImageName.parse(IMAGE)).withExposedPorts(6379);
            container.start();
        }

        @Override
        public String source() {
            return "Testcontainers " + IMAGE + " (" + container.getHost() + ":" + container.getMappedPort(6379) + ")";
        }

        @Override
        public RedisURI redisUri() {
            return RedisURI.builder().withHost(container.getHost()).withPort(container.getMappedPort(6379)).build();
        }

        @Override
        public void close() {
            super.close();
            container.stop();
        }
    }

}
