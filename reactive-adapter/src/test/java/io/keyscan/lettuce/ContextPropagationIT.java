package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.testkit.RedisExtension;
import io.keyscan.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.tracing.TraceContext;
import io.lettuce.core.tracing.Tracer;
import io.lettuce.core.tracing.TracerProvider;
import io.lettuce.core.tracing.Tracing;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A value the application writes into the Reactor context of a listing reaches the subscription of every Lettuce
 * command the listing sends: Lettuce's tracing reads its parent span from there, so with tracing on, the SCAN
 * spans are children of the application's span.
 */
@ExtendWith(RedisExtension.class)
class ContextPropagationIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final RedisServer redis;

    ContextPropagationIT(RedisServer redis) {
        this.redis = redis;
    }

    /** A Lettuce tracing that records, per command type, the trace context each command's span was started in. */
    static final class RecordingTracing implements Tracing, TracerProvider {
        final Map<String, List<TraceContext>> parents = new ConcurrentHashMap<>();

        @Override
        public TracerProvider getTracerProvider() {
            return this;
        }

        @Override
        public Tracer getTracer() {
            return new Tracer() {
                @Override
                public Span nextSpan() {
                    return nextSpan(TraceContext.EMPTY);
                }

                @Override
                public Span nextSpan(TraceContext parent) {
                    return new RecordingSpan(parent);
                }
            };
        }

        @Override
        public io.lettuce.core.tracing.TraceContextProvider initialTraceContextProvider() {
            return () -> TraceContext.EMPTY;
        }

        @Override
        public boolean isEnabled() {
            return true;
        }

        @Override
        public boolean includeCommandArgsInSpanTags() {
            return false;
        }

        @Override
        public Endpoint createEndpoint(SocketAddress socketAddress) {
            return new Endpoint() {
            };
        }

        final class RecordingSpan extends Tracer.Span {
            private final TraceContext parent;

            RecordingSpan(TraceContext parent) {
                this.parent = parent;
            }

            @Override
            public Tracer.Span start(RedisCommand<?, ?, ?> command) {
                parents.computeIfAbsent(command.getType().toString(), type -> new CopyOnWriteArrayList<>()).add(parent);
                return this;
            }

            @Override
            public Tracer.Span name(String name) {
                return this;
            }

            @Override
            public Tracer.Span annotate(String value) {
                return this;
            }

            @Override
            public Tracer.Span tag(String key, String value) {
                return this;
            }

            @Override
            public Tracer.Span error(Throwable throwable) {
                return this;
            }

            @Override
            public Tracer.Span remoteEndpoint(Endpoint endpoint) {
                return this;
            }

            @Override
            public void finish() {
            }
        }
    }

    @Test
    void theApplicationsContextReachesEveryCommandOfAListing() {
        redis.flushAll();
        redis.mset(0, 20_000, i -> "ctx:" + i, i -> "v");
        RecordingTracing tracing = new RecordingTracing();
        ClientResources resources = ClientResources.builder().tracing(tracing).build();
        RedisClient client = RedisClient.create(resources, redis.redisUri());
        TraceContext applicationSpan = new TraceContext() {
        };
        try (StatefulRedisConnection<String, String> connection = client.connect();
                KeyScanner scanner = LettuceKeyScanner.create(connection, KeyScanOptions.builder().useScan(true)
                        .build())) {
            tracing.parents.clear(); // the connection's own handshake commands
            assertThat(scanner.fetchKeys("ctx:*").contextWrite(Tracing.withTraceContextProvider(() -> applicationSpan))
                    .block(WAIT)).hasSize(20_000);
            assertThat(scanner.scan("ctx:1*").contextWrite(Tracing.withTraceContextProvider(() -> applicationSpan))
                    .count().block(WAIT)).isEqualTo(1 + 10 + 100 + 1_000 + 10_000);

            assertThat(tracing.parents.get("SCAN")).as("SCAN calls").hasSizeGreaterThan(10)
                    .allMatch(parent -> parent == applicationSpan);
            assertThat(tracing.parents.get("INFO")).as("INFO calls (server identity, SCAN time)").isNotEmpty()
                    .allMatch(parent -> parent == applicationSpan);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
