package io.keyscan;

import io.keyscan.spi.FailureKind;
import io.keyscan.spi.RedisKeyspace;
import io.keyscan.spi.ScanNode;
import java.util.List;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import reactor.core.publisher.Mono;

/**
 * The Reactive Streams TCK's {@link PublisherVerification} against a {@link KeyScanner} listing over generated
 * pages ({@link GeneratedKeysNode}). Subclasses say which listing ({@code scan}, {@code scanBytes}) over which
 * keyspace. TestNG, run by Surefire on the JUnit Platform through testng-engine, next to the Jupiter tests.
 */
abstract class KeyScanPublisherVerification<T> extends PublisherVerification<T> {

    /**
     * The largest listing a rule may ask for. Rule 3.17's overflow test asks for {@link Integer#MAX_VALUE}
     * elements (and reads about a dozen), so a lower bound, e.g. a few thousand, would skip that required rule.
     * Generated pages cost nothing until read, and the fingerprints the engine keeps per subscription grow only
     * with the keys emitted. Not {@code Long.MAX_VALUE}: every listing ends, and the completion rules must run.
     */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE;

    /**
     * Rule 3.13 waits this long after a cancellation before it collects garbage (TCK default 300 ms; a machine loaded
     * 10 times over missed 500 ms once).
     */
    static final long PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS = 2_000;

    private static final KeyScanOptions SCAN = KeyScanOptions.builder().useScan(true).build();

    /**
     * Timeouts for a loaded 2-core CI machine: a signal is awaited up to 5 s (the TCK's default, 100 ms, is
     * tight when pages hop threads on a busy box); "no further signal" is asserted after 100 ms of silence, a
     * wait that many rules pay, so it stays short.
     */
    KeyScanPublisherVerification() {
        super(new TestEnvironment(5_000, 100, 10), PUBLISHER_REFERENCE_GC_TIMEOUT_MILLIS);
    }

    /** The listing under test over {@code scanner}, e.g. {@code scanner.scan("*")}. */
    abstract Publisher<T> list(KeyScanner scanner);

    /** A keyspace holding exactly {@code keys} distinct keys, all matching {@code *}. */
    RedisKeyspace keyspace(long keys) {
        return new ScriptedKeyspace(new GeneratedKeysNode(keys));
    }

    @Override
    public final Publisher<T> createPublisher(long elements) {
        return list(scanner(keyspace(elements)));
    }

    /**
     * A listing that cannot start: the keyspace fails to name its servers, with an error that is not transient.
     *
     * <p>Not a listing whose first SCAN fails: the TCK's error-state rules (1.4, 1.9) subscribe without ever
     * requesting and expect {@code onError} anyway, i.e. a publisher that rejects subscribers. A scan sends no
     * SCAN before demand (by design, see {@code ScanEngineTest.sendsNothingUntilRequested}), so its first page
     * can only fail once something is requested ({@code ScanEngineTest.aFailingFirstPageIsSignalledAtTheFirstRequest}).
     */
    @Override
    public final Publisher<T> createFailedPublisher() {
        return list(scanner(new UnavailableKeyspace()));
    }

    @Override
    public final long maxElementsFromPublisher() {
        return MAX_ELEMENTS;
    }

    private static KeyScanner scanner(RedisKeyspace keyspace) {
        return new DefaultKeyScanner(keyspace, SCAN, () -> 0.5);
    }

    /** A deployment that refuses to tell its servers, e.g. a cluster whose topology is denied to this user. */
    private static final class UnavailableKeyspace implements RedisKeyspace {

        @Override
        public Mono<List<ScanNode>> nodes() {
            return Mono.error(new IllegalStateException("NOPERM this user has no permissions to run the 'cluster' "
                    + "command"));
        }

        @Override
        public Mono<ScanNode> nodeForKey(byte[] key) {
            return nodes().map(nodes -> nodes.get(0));
        }

        @Override
        public Mono<List<byte @org.jspecify.annotations.Nullable []>> values(List<byte[]> keys) {
            return Mono.error(new UnsupportedOperationException("MGET"));
        }

        @Override
        public FailureKind classify(Throwable error) {
            return FailureKind.PERMANENT;
        }

        @Override
        public void close() {
        }
    }
}
