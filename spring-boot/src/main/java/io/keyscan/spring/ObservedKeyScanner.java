package io.keyscan.spring;

import io.keyscan.KeyScanListener.Path;
import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.KeyType;
import io.keyscan.KeyValue;
import io.keyscan.QueryClass;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * A scanner whose every listing is one Micrometer {@link Observation} named {@value #NAME}: started when the listing
 * is subscribed to, stopped when it completes, fails or is cancelled, whichever comes first. Nothing is observed
 * before subscription, and each subscription is its own listing and observation, as each runs a fresh listing.
 *
 * <p>The observation's parent is the one in the subscriber's Reactor {@code Context} under
 * {@link ObservationThreadLocalAccessor#KEY} (where Spring WebFlux puts a request's), else the registry's current
 * one. The listing runs with the observation in its Context under that key, which is where Lettuce's
 * {@code MicrometerTracing} looks for the parent of each command's observation: with tracing on, the SCAN (KEYS,
 * EXISTS, MGET, ...) spans of a listing are children of its span.
 *
 * <p>Low-cardinality key values (tags): {@code path} ({@code scan}, {@code keys}, {@code exists}: the command the
 * listing uses, as {@link io.keyscan.KeyScanListener.Path} reports it), {@code pattern.class} (the pattern's
 * {@link QueryClass}, in lower case) and {@code outcome} ({@code success}, {@code error}, {@code cancelled}); a
 * failure is also the observation's error. High-cardinality: {@code keys}, how many keys the listing delivered.
 */
final class ObservedKeyScanner implements KeyScanner {

    static final String NAME = "keyscan.listing";
    static final String PATH = "path";
    static final String PATTERN_CLASS = "pattern.class";
    static final String OUTCOME = "outcome";
    static final String KEYS = "keys";

    private final KeyScanner delegate;
    private final ObservationRegistry registry;

    ObservedKeyScanner(KeyScanner delegate, ObservationRegistry registry) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    KeyScanner delegate() {
        return delegate;
    }

    // Each method asks the delegate first, so that a pattern it refuses fails at call time, as documented, and
    // before anything is observed.

    @Override
    public Flux<String> scan(String pattern) {
        return flux(delegate.scan(pattern), pattern, true);
    }

    @Override
    public Mono<List<String>> keys(String pattern) {
        // KEYS whatever the pattern: this method never answers with EXISTS
        return mono(delegate.keys(pattern), pattern, Path.KEYS);
    }

    @Override
    public Mono<List<String>> fetchKeys(String pattern) {
        return mono(delegate.fetchKeys(pattern), pattern);
    }

    @Override
    public Flux<byte[]> scanBytes(String pattern) {
        return flux(delegate.scanBytes(pattern), pattern, true);
    }

    @Override
    public Mono<List<byte[]>> fetchKeyBytes(String pattern) {
        return mono(delegate.fetchKeyBytes(pattern), pattern);
    }

    @Override
    public Flux<String> scan(String pattern, KeyType type) {
        return flux(delegate.scan(pattern, type), pattern, true);
    }

    @Override
    public Flux<byte[]> scanBytes(String pattern, KeyType type) {
        return flux(delegate.scanBytes(pattern, type), pattern, true);
    }

    @Override
    public Mono<List<String>> fetchKeys(String pattern, KeyType type) {
        return mono(delegate.fetchKeys(pattern, type), pattern);
    }

    @Override
    public Flux<KeyValue> scanValues(String pattern) {
        return flux(delegate.scanValues(pattern), pattern, delegate.options().useScan());
    }

    @Override
    public Mono<List<KeyValue>> fetchValues(String pattern) {
        return mono(delegate.fetchValues(pattern), pattern);
    }

    @Override
    public KeyScanOptions options() {
        return delegate.options();
    }

    @Override
    public void close() {
        delegate.close();
    }

    /**
     * The path the engine reports to {@code KeyScanListener.onListing} for a listing of a pattern of that class:
     * EXISTS for a pattern naming one key ({@link QueryClass#LITERAL}), else SCAN or KEYS as {@code scan} says.
     * ({@code MetricsIT} checks that the observation's timer and the listener's {@code keyscan.listed.keys} agree on it.)
     */
    static Path path(QueryClass queryClass, boolean scan) {
        return queryClass == QueryClass.LITERAL ? Path.EXISTS : scan ? Path.SCAN : Path.KEYS;
    }

    private <T> Flux<T> flux(Flux<T> listing, String pattern, boolean scan) {
        QueryClass queryClass = QueryClass.of(pattern);
        Path path = path(queryClass, scan);
        return Flux.deferContextual(context -> {
            Listing observed = start(context, path, queryClass);
            return listing.doOnNext(item -> observed.keys++)
                    .doOnComplete(observed::completed)
                    .doOnError(observed::failed)
                    .doOnCancel(observed::cancelled)
                    .contextWrite(observed::into);
        });
    }

    /** A listing that follows the options: SCAN or KEYS as they say, EXISTS for a pattern naming one key. */
    private <T> Mono<List<T>> mono(Mono<List<T>> listing, String pattern) {
        return mono(listing, pattern, null);
    }

    /** @param fixed the path whatever the options say, or {@code null} for the options' */
    private <T> Mono<List<T>> mono(Mono<List<T>> listing, String pattern, @Nullable Path fixed) {
        QueryClass queryClass = QueryClass.of(pattern);
        Path path = fixed != null ? fixed : path(queryClass, delegate.options().useScan());
        return Mono.deferContextual(context -> {
            Listing observed = start(context, path, queryClass);
            return listing.doOnSuccess(list -> {
                        observed.keys = list == null ? 0 : list.size();
                        observed.completed();
                    })
                    .doOnError(observed::failed)
                    .doOnCancel(observed::cancelled)
                    .contextWrite(observed::into);
        });
    }

    private Listing start(ContextView context, Path path, QueryClass queryClass) {
        Observation parent = context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
        Observation observation = Observation.createNotStarted(NAME, registry)
                .parentObservation(parent != null ? parent : registry.getCurrentObservation())
                .lowCardinalityKeyValue(PATH, path.name().toLowerCase(Locale.ROOT))
                .lowCardinalityKeyValue(PATTERN_CLASS, queryClass.name().toLowerCase(Locale.ROOT));
        return new Listing(observation.start());
    }

    /** One subscription's observation, stopped once, by whichever end comes first. */
    private static final class Listing {

        private final Observation observation;
        private final AtomicBoolean stopped = new AtomicBoolean();
        /** Written by the listing's signals, which are serial; read when it ends, maybe on a cancelling thread. */
        volatile long keys;

        Listing(Observation observation) {
            this.observation = observation;
        }

        Context into(Context context) {
            return context.put(ObservationThreadLocalAccessor.KEY, observation);
        }

        void completed() {
            stop("success", null);
        }

        void failed(Throwable error) {
            stop("error", error);
        }

        void cancelled() {
            stop("cancelled", null);
        }

        private void stop(String outcome, @Nullable Throwable error) {
            if (!stopped.compareAndSet(false, true)) {
                return;
            }
            if (error != null) {
                observation.error(error);
            }
            observation.lowCardinalityKeyValue(OUTCOME, outcome)
                    .highCardinalityKeyValue(KEYS, Long.toString(keys))
                    .stop();
        }
    }

    @Override
    public String toString() {
        return "ObservedKeyScanner[" + delegate + "]";
    }
}
