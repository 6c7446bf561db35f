package io.keyscan.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a real Redis Cluster: declare a {@link LocalRedisCluster} parameter (constructor, {@code @BeforeAll},
 * {@code @Test}...) on a class annotated {@code @ExtendWith(RedisClusterExtension.class)}.
 *
 * <p>One cluster (3 masters, 3 replicas) is shared by every test class of the run, started on first use and
 * stopped at the end; starting one takes a few seconds, most of it Redis' own delays. Before each injection it is
 * checked to be healthy, so a test that left it broken fails the next one with the reason rather than with a
 * confusing listing. Tests own the data (they flush what they need flushed) and must leave every node running;
 * a manual {@link LocalRedisCluster#failover failover} or a {@link LocalRedisCluster#migrateSlot slot move} is
 * fine, since users of the shared cluster ask it for roles and slot owners rather than assume them.
 *
 * <p>Tests that kill or pause nodes, or need a different shape or configuration, start their own cluster:
 * {@code try (LocalRedisCluster cluster = LocalRedisCluster.start()) { ... }}.
 */
public final class RedisClusterExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(RedisClusterExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == LocalRedisCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        LocalRedisCluster cluster = extensionContext.getRoot().getStore(NAMESPACE)
                .computeIfAbsent("shared-redis-cluster", key -> LocalRedisCluster.start(), LocalRedisCluster.class);
        for (LocalRedisServer node : cluster.nodes()) {
            if (!node.isRunning()) {
                throw new IllegalStateException("a test stopped a node of the shared cluster (" + node.uri()
                        + "); tests that stop nodes start their own LocalRedisCluster");
            }
        }
        cluster.awaitHealthy();
        return cluster;
    }
}
