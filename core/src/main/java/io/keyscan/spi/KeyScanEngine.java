package io.keyscan.spi;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Objects;

/**
 * The entry point for client adapters: keyscan's engine over an adapter's {@link RedisKeyspace}. Applications use
 * an adapter's factory instead, e.g. {@code LettuceKeyScanner.create(connection, options)}.
 */
public final class KeyScanEngine {

    /**
     * The engine's constructor. The engine is package-private in {@code io.keyscan} so that nothing but this entry
     * point reaches it; {@code privateLookupIn} is allowed because both packages are in one jar, so one module (the
     * unnamed module on the class path, {@code io.keyscan.core}, an automatic module that opens every package, on
     * the module path). Resolved once: a failure here is a broken build, reported at first use.
     */
    private static final MethodHandle ENGINE = engine();

    private KeyScanEngine() {
    }

    /**
     * Creates a scanner over a client adapter's keyspace.
     *
     * @param keyspace the adapter's view of the Redis deployment
     * @param options the settings
     * @return a thread-safe scanner that closes {@code keyspace} when closed
     * @throws NullPointerException if {@code keyspace} or {@code options} is null
     */
    public static KeyScanner create(RedisKeyspace keyspace, KeyScanOptions options) {
        Objects.requireNonNull(keyspace, "keyspace must not be null");
        Objects.requireNonNull(options, "options must not be null");
        try {
            return (KeyScanner) ENGINE.invoke(keyspace, options);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("keyscan's engine could not be created", e);
        }
    }

    private static MethodHandle engine() {
        try {
            Class<?> engine = Class.forName("io.keyscan.DefaultKeyScanner");
            return MethodHandles.privateLookupIn(engine, MethodHandles.lookup())
                    .findConstructor(engine, MethodType.methodType(void.class, RedisKeyspace.class,
                            KeyScanOptions.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
