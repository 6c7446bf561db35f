package io.keyscan.testkit;

import io.lettuce.core.RedisURI;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Testcontainers step of {@link RedisServers#start()}: a {@code redis:7} container when a Docker engine is
 * reachable. A {@link RedisServers.Source} registered with {@link java.util.ServiceLoader}, so tests (which have
 * keyscan-testkit) get it and the demo, the examples and the benchmarks (which run with keyscan-testkit-servers only)
 * never carry Testcontainers.
 */
public final class RedisContainers implements RedisServers.Source {

    /** The image used when Docker is available. */
    public static final String IMAGE = "redis:7";

    private static final Logger log = LoggerFactory.getLogger(RedisContainers.class);

    /** For {@link java.util.ServiceLoader}. */
    public RedisContainers() {
    }

    @Override
    public String name() {
        return "Testcontainers";
    }

    @Override
    public Optional<RedisServer> start() {
        return dockerAvailable() ? Optional.of(new Container()) : Optional.empty();
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
