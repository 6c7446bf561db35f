package io.keyscan.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a real Redis Sentinel deployment: declare a {@link LocalRedisSentinel} parameter (constructor,
 * {@code @BeforeAll}, {@code @Test}...) on a class annotated {@code @ExtendWith(RedisSentinelExtension.class)}.
 *
 * <p>One deployment (a master, a replica, three Sentinels; see {@link LocalRedisSentinel}) is shared by every test
 * class of the run, started on first use and stopped at the end. Tests may fail it over or kill its master: before
 * each injection a killed data node is started again as a replica of the current master and the deployment is awaited
 * healthy (every Sentinel and data node agreeing on the roles, see {@link LocalRedisSentinel#awaitHealthy()}), so a
 * test never gets one mid-change. Tests own the data (they flush what they
 * need flushed), and ask {@link LocalRedisSentinel#master()} for the master rather than assume it.
 *
 * <p>Tests that need passwords or another configuration start their own:
 * {@code try (LocalRedisSentinel sentinel = LocalRedisSentinel.builder().dataPassword("...").start()) { ... }}.
 */
public final class RedisSentinelExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(RedisSentinelExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == LocalRedisSentinel.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        LocalRedisSentinel deployment = extensionContext.getRoot().getStore(NAMESPACE)
                .computeIfAbsent("shared-redis-sentinel", key -> LocalRedisSentinel.start(), LocalRedisSentinel.class);
        for (LocalRedisServer sentinel : deployment.sentinels()) {
            if (!sentinel.isRunning()) {
                throw new IllegalStateException("a test stopped a Sentinel of the shared deployment (" + sentinel.uri()
                        + "); tests that stop Sentinels start their own LocalRedisSentinel");
            }
        }
        deployment.restartStoppedDataNodes();
        return deployment;
    }
}
