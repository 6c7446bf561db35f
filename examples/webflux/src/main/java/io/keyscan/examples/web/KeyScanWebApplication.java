package io.keyscan.examples.web;

import io.keyscan.testkit.RailsPerformanceDataset;
import io.keyscan.testkit.RedisServer;
import io.keyscan.testkit.RedisServers;
import io.lettuce.core.RedisURI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * The WebFlux example: lists Redis keys over HTTP (see {@link KeyRoutes} for the endpoints).
 *
 * <p>Run with {@code ./mvnw -q -pl examples/webflux -am compile exec:java}. Without Redis settings it starts a Redis
 * of its own (the test harness' fallbacks: Docker, a {@code redis-server} on the PATH, or the one shipped in a Maven
 * artifact), loads {@code keyscan.examples.demo-keys} (default 100,000) rails_performance-shaped keys into it, and
 * stops it on exit. {@code --redis-url=redis://host:port} (or {@code --redis-url redis://host:port}), or any of
 * {@code spring.data.redis.url}/{@code .host} given on the command line, as a system property or in the
 * environment, points it at that server instead, which it only reads.
 */
@SpringBootApplication
@EnableConfigurationProperties(ExamplesProperties.class)
public class KeyScanWebApplication {

    static final int DEFAULT_DEMO_KEYS = 100_000;

    private static final Logger log = LoggerFactory.getLogger(KeyScanWebApplication.class);

    public static void main(String[] args) {
        String[] arguments = joinRedisUrl(args);
        SpringApplication application = new SpringApplication(KeyScanWebApplication.class);
        RedisServer ownServer = configureRedis(application, arguments);
        try {
            application.run(arguments);
        } catch (RuntimeException | Error e) {
            if (ownServer != null) {
                ownServer.close();
            }
            throw e;
        }
    }

    /**
     * Points the application at the server the arguments or the environment name, or starts one with demo data.
     *
     * @return the server started here, which the application stops when it closes; {@code null} for the user's
     */
    private static RedisServer configureRedis(SpringApplication application, String[] args) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(args));
        String redisUrl = environment.getProperty("redis-url");
        if (redisUrl != null && !redisUrl.isBlank()) {
            application.setDefaultProperties(Map.of("spring.data.redis.url", redisUrl.trim()));
            return null;
        }
        if (environment.containsProperty("spring.data.redis.url") || environment.containsProperty("spring.data.redis.host")) {
            return null;
        }
        int keys = environment.getProperty("keyscan.examples.demo-keys", Integer.class, DEFAULT_DEMO_KEYS);
        RedisServer server = RedisServers.start();
        try {
            log.info(String.format(Locale.ROOT, "No Redis configured (--redis-url): loading %,d rails_performance-shaped "
                    + "keys into %s", keys, server.source()));
            RailsPerformanceDataset.generate(keys, 20260204L).load(server);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        RedisURI uri = server.redisUri();
        Map<String, Object> defaults = new HashMap<>();
        defaults.put("spring.data.redis.host", uri.getHost());
        defaults.put("spring.data.redis.port", uri.getPort());
        application.setDefaultProperties(defaults);
        // A bean defined before all others: destroyed after them (the KeyScanner first), so the server stops last.
        application.addInitializers(context -> ((GenericApplicationContext) context)
                .registerBean("demoRedisServer", RedisServer.class, () -> server,
                        definition -> definition.setDestroyMethodName("close")));
        return server;
    }

    /** {@code --redis-url URL} as {@code --redis-url=URL}, the form Spring reads (the demo takes the former). */
    static String[] joinRedisUrl(String[] args) {
        List<String> joined = new ArrayList<>(args.length);
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--redis-url") && i + 1 < args.length) {
                joined.add("--redis-url=" + args[++i]);
            } else {
                joined.add(args[i]);
            }
        }
        return joined.toArray(new String[0]);
    }
}
