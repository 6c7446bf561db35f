package io.keyscan.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyscan.KeyScanException;
import io.keyscan.KeyScanner;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.RedisExtension;
import io.keyscan.testkit.RedisServer;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.tracing.LettuceObservationContext;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.ObservationView;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.observation.LettuceObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.test.StepVerifier;

/**
 * The {@code keyscan.listing} observation of real listings through the auto-configured scanner, with Spring Boot's
 * own Lettuce observation support ({@link LettuceObservationAutoConfiguration}: {@code MicrometerTracing} on the
 * client resources) turned on by the same {@link ObservationRegistry} bean: one observation per listing, with its
 * tags, whatever the outcome; and Lettuce's command observations (spans, with tracing) are its children.
 */
@ExtendWith(RedisExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservationIT {

    private static final Duration WAIT = Duration.ofMinutes(1);
    private static final String PREFIX = "boot-observation:";
    private static final int KEYS = 3000;

    private final RedisServer server;

    ObservationIT(RedisServer server) {
        this.server = server;
    }

    @BeforeAll
    void load() {
        server.flushAll();
        server.mset(0, KEYS, i -> PREFIX + i, i -> "v");
    }

    private static ApplicationContextRunner runner(RedisServer target, ObservationRegistry registry) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(LettuceObservationAutoConfiguration.class,
                        DataRedisAutoConfiguration.class, KeyScanAutoConfiguration.class))
                .withBean(ObservationRegistry.class, () -> registry)
                .withPropertyValues("spring.data.redis.host=" + target.redisUri().getHost(),
                        "spring.data.redis.port=" + target.redisUri().getPort());
    }

    @Test
    void aScanListingIsOneObservationWhoseChildrenAreItsScanCommands() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        runner(server, registry).withPropertyValues("keyscan.use-scan=true").run(context -> {
            KeyScanner scanner = context.getBean(KeyScanner.class);
            assertThat(scanner).isInstanceOf(ObservedKeyScanner.class);
            server.resetStats();
            List<String> keys = scanner.fetchKeys(PREFIX + "*").block(WAIT);
            long scanCalls = server.commandStats("scan").calls();

            assertThat(keys).hasSize(KEYS);
            TestObservationRegistryAssert.assertThat(registry)
                    .hasNumberOfObservationsWithNameEqualTo(ObservedKeyScanner.NAME, 1)
                    .hasObservationWithNameEqualTo(ObservedKeyScanner.NAME).that()
                    .hasBeenStarted().hasBeenStopped()
                    .hasLowCardinalityKeyValue("path", "scan")
                    .hasLowCardinalityKeyValue("pattern.class", "broad")
                    .hasLowCardinalityKeyValue("outcome", "success")
                    .hasHighCardinalityKeyValue("keys", Integer.toString(KEYS))
                    .doesNotHaveError();
            Observation.Context listing = listing(registry);
            List<Observation.Context> scans = commands(registry, CommandType.SCAN);
            assertThat(scans).hasSize((int) scanCalls).isNotEmpty()
                    .allSatisfy(scan -> assertThat(parentOf(scan)).isSameAs(listing));
            assertThat(listing.getParentObservation()).isNull();
        });
    }

    @Test
    void aKeysListingIsOneObservationWhoseChildIsItsKeysCommand() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        runner(server, registry).withPropertyValues("keyscan.use-scan=false").run(context -> {
            List<String> keys = context.getBean(KeyScanner.class).fetchKeys(PREFIX + "*").block(WAIT);

            assertThat(keys).hasSize(KEYS);
            TestObservationRegistryAssert.assertThat(registry)
                    .hasNumberOfObservationsWithNameEqualTo(ObservedKeyScanner.NAME, 1)
                    .hasObservationWithNameEqualTo(ObservedKeyScanner.NAME).that()
                    .hasBeenStopped()
                    .hasLowCardinalityKeyValue("path", "keys")
                    .hasLowCardinalityKeyValue("pattern.class", "broad")
                    .hasLowCardinalityKeyValue("outcome", "success")
                    .hasHighCardinalityKeyValue("keys", Integer.toString(KEYS));
            Observation.Context listing = listing(registry);
            assertThat(commands(registry, CommandType.KEYS)).singleElement()
                    .satisfies(command -> assertThat(parentOf(command)).isSameAs(listing));
            assertThat(commands(registry, CommandType.SCAN)).isEmpty();
        });
    }

    /** A pattern naming one key is answered with EXISTS, and tagged so; {@code *} is the match-all class. */
    @Test
    void thePathAndPatternClassFollowThePattern() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        runner(server, registry).withPropertyValues("keyscan.use-scan=true").run(context -> {
            KeyScanner scanner = context.getBean(KeyScanner.class);
            assertThat(scanner.fetchKeys(PREFIX + "7").block(WAIT)).containsExactly(PREFIX + "7");
            assertThat(registry.getCurrentObservation()).isNull();
            TestObservationRegistryAssert.assertThat(registry)
                    .hasObservationWithNameEqualTo(ObservedKeyScanner.NAME).that()
                    .hasLowCardinalityKeyValue("path", "exists")
                    .hasLowCardinalityKeyValue("pattern.class", "literal")
                    .hasHighCardinalityKeyValue("keys", "1");
            assertThat(commands(registry, CommandType.EXISTS)).singleElement()
                    .satisfies(command -> assertThat(parentOf(command)).isSameAs(listing(registry)));

            registry.clear();
            assertThat(scanner.scan("*").count().block(WAIT)).isEqualTo(KEYS);
            TestObservationRegistryAssert.assertThat(registry)
                    .hasObservationWithNameEqualTo(ObservedKeyScanner.NAME).that()
                    .hasLowCardinalityKeyValue("path", "scan")
                    .hasLowCardinalityKeyValue("pattern.class", "match_all")
                    .hasLowCardinalityKeyValue("outcome", "success");
        });
    }

    /** A stream the subscriber cancels ends its observation as cancelled, with the keys it delivered until then. */
    @Test
    void aCancelledStreamIsObservedAsCancelled() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        runner(server, registry).run(context -> {
            StepVerifier.create(context.getBean(KeyScanner.class).scan(PREFIX + "*"), 0)
                    .thenRequest(10)
                    .expectNextCount(10)
                    .thenCancel()
                    .verify(WAIT);

            TestObservationRegistryAssert.assertThat(registry)
                    .hasNumberOfObservationsWithNameEqualTo(ObservedKeyScanner.NAME, 1)
                    .hasObservationWithNameEqualTo(ObservedKeyScanner.NAME).that()
                    .hasBeenStopped()
                    .hasLowCardinalityKeyValue("path", "scan")
                    .hasLowCardinalityKeyValue("outcome", "cancelled")
                    .hasHighCardinalityKeyValue("keys", "10")
                    .doesNotHaveError();
        });
    }

    /** A server with KEYS disabled, as managed services do: the listing's observation ends with its error. */
    @Test
    void aFailedListingIsObservedWithItsError() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        try (LocalRedisServer noKeys = LocalRedisServer.builder().arg("--rename-command", "KEYS", "").start()) {
            runner(noKeys, registry).withPropertyValues("keyscan.use-scan=false").run(context -> {
                assertThatThrownBy(() -> context.getBean(KeyScanner.class).fetchKeys("any:*").block(WAIT))
                        .isInstanceOf(KeyScanException.class);

                TestObservationRegistryAssert.assertThat(registry)
                        .hasNumberOfObservationsWithNameEqualTo(ObservedKeyScanner.NAME, 1)
                        .hasObservationWithNameEqualTo(ObservedKeyScanner.NAME).that()
                        .hasBeenStopped()
                        .hasLowCardinalityKeyValue("path", "keys")
                        .hasLowCardinalityKeyValue("outcome", "error")
                        .assertThatError().isInstanceOf(KeyScanException.class);
            });
        }
    }

    /** An observation in the subscriber's Reactor Context, as WebFlux puts a request's there, is the parent. */
    @Test
    void theSubscribersObservationIsTheParent() {
        TestObservationRegistry registry = TestObservationRegistry.create();
        runner(server, registry).withPropertyValues("keyscan.use-scan=true").run(context -> {
            Observation request = Observation.start("request", registry);
            List<String> keys = context.getBean(KeyScanner.class).fetchKeys(PREFIX + "1*")
                    .contextWrite(c -> c.put(ObservationThreadLocalAccessor.KEY, request))
                    .block(WAIT);
            request.stop();

            assertThat(keys).isNotEmpty();
            assertThat(listing(registry).getParentObservation()).isSameAs(request);
        });
    }

    /**
     * With tracing (Micrometer Tracing's handler over {@link SimpleTracer}): the listing is a span, and every SCAN
     * (or the KEYS) span Lettuce makes is its child, in the same trace.
     */
    @Test
    void withTracingTheCommandSpansAreChildrenOfTheListingSpanOnBothPaths() {
        for (boolean useScan : new boolean[] {true, false}) {
            SimpleTracer tracer = new SimpleTracer();
            ObservationRegistry registry = ObservationRegistry.create();
            registry.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer));
            runner(server, registry).withPropertyValues("keyscan.use-scan=" + useScan).run(context -> {
                server.resetStats();
                List<String> keys = context.getBean(KeyScanner.class).fetchKeys(PREFIX + "*").block(WAIT);
                String command = useScan ? "scan" : "keys";
                long calls = server.commandStats(command).calls();

                assertThat(keys).hasSize(KEYS);
                List<SimpleSpan> listings = spans(tracer, ObservedKeyScanner.NAME);
                assertThat(listings).singleElement().satisfies(span -> {
                    assertThat(span.getTags()).containsEntry("path", command).containsEntry("outcome", "success");
                    assertThat(span.getParentId()).isNullOrEmpty();
                });
                SimpleSpan listing = listings.get(0);
                List<SimpleSpan> commands = spans(tracer, command);
                assertThat(commands).hasSize((int) calls).isNotEmpty().allSatisfy(span -> {
                    assertThat(span.getTraceId()).isEqualTo(listing.getTraceId());
                    assertThat(span.getParentId()).isEqualTo(listing.getSpanId());
                });
            });
        }
    }

    private static List<SimpleSpan> spans(SimpleTracer tracer, String name) {
        List<SimpleSpan> named = new ArrayList<>();
        for (SimpleSpan span : tracer.getSpans()) {
            if (name.equals(span.getName())) {
                named.add(span);
            }
        }
        return named;
    }

    private static Observation.Context listing(TestObservationRegistry registry) {
        List<Observation.Context> found = new ArrayList<>();
        TestObservationRegistryAssert.assertThat(registry).hasHandledContextsThatSatisfy(contexts -> {
            for (Observation.Context context : contexts) {
                if (ObservedKeyScanner.NAME.equals(context.getName())) {
                    found.add(context);
                }
            }
        });
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    /** Lettuce's observations of {@code type} commands. */
    private static List<Observation.Context> commands(TestObservationRegistry registry, CommandType type) {
        List<Observation.Context> found = new ArrayList<>();
        TestObservationRegistryAssert.assertThat(registry).hasHandledContextsThatSatisfy(contexts -> {
            for (Observation.Context context : contexts) {
                if (context instanceof LettuceObservationContext command
                        && command.getRequiredCommand().getType() == type) {
                    found.add(context);
                }
            }
        });
        return found;
    }

    private static Observation.ContextView parentOf(Observation.Context context) {
        ObservationView parent = context.getParentObservation();
        assertThat(parent).as("parent of %s", context.getContextualName()).isNotNull();
        return parent.getContextView();
    }
}
