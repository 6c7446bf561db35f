package io.keyscan.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a real Redis server: declare a {@link RedisServer} parameter (constructor, {@code @BeforeAll},
 * {@code @Test}...) on a class annotated {@code @ExtendWith(RedisExtension.class)}.
 *
 * <p>One server is shared by every test class of the run (chosen by {@link RedisServers#start()}) and stopped
 * at the end. Tests own the data: they flush what they need flushed. Tests that stop, pause or kill a server
 * start their own {@link LocalRedisServer} instead.
 */
public final class RedisExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RedisExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == RedisServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return extensionContext.getRoot().getStore(NAMESPACE)
                .computeIfAbsent("shared-redis-server", key -> RedisServers.start(), RedisServer.class);
    }
}
