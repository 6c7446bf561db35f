package io.keyscan;

import io.keyscan.CommandRunner.Call;
import io.keyscan.spi.RedisKeyspace;
import io.keyscan.spi.ScanNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The engine behind every adapter: routes, walks cursors with demand, retries, and orders the result. */
final class DefaultKeyScanner implements KeyScanner {

    private static final Logger log = LoggerFactory.getLogger(DefaultKeyScanner.class);

    private final RedisKeyspace keyspace;
    private final KeyScanOptions options;
    private final CommandRunner runner;
    private final AtomicBoolean keysDeprecationLogged = new AtomicBoolean();

    DefaultKeyScanner(RedisKeyspace keyspace, KeyScanOptions options) {
        this(keyspace, options, System::nanoTime, () -> ThreadLocalRandom.current().nextDouble());
    }

    DefaultKeyScanner(RedisKeyspace keyspace, KeyScanOptions options, LongSupplier nanoClock, DoubleSupplier random) {
        this.keyspace = keyspace;
        this.options = options;
        this.runner = new CommandRunner(keyspace, options, nanoClock, random);
    }

    @Override
    public Flux<String> scan(String pattern) {
        byte[] match = Patterns.encode(pattern);
        return scanRaw(pattern, match).map(key -> KeyCoding.decode(key, pattern));
    }

    @Override
    public Flux<byte[]> scanBytes(String pattern) {
        byte[] match = Patterns.encode(pattern);
        return scanRaw(pattern, match);
    }

    @Override
    public Mono<List<byte[]>> fetchKeyBytes(String pattern) {
        byte[] match = Patterns.encode(pattern);
        return rawListing(pattern, match).map(keys -> KeyCoding.sortedDistinct(keys, KeyCoding.BYTE_ORDER));
    }

    @Override
    public Mono<List<String>> keys(String pattern) {
        byte[] match = Patterns.encode(pattern);
        return keysRaw(pattern, match).map(keys -> KeyCoding.decodeAll(keys, pattern));
    }

    @Override
    public Mono<List<String>> fetchKeys(String pattern) {
        byte[] match = Patterns.encode(pattern);
        return rawListing(pattern, match).map(keys -> KeyCoding.sortedDistinct(KeyCoding.decodeAll(keys, pattern),
                KeyCoding.STRING_ORDER));
    }

    /** Every matching key, undecoded and unsorted, by the command {@code useScan} selects. */
    private Mono<List<byte[]>> rawListing(String pattern, byte[] match) {
        return options.useScan() ? walk(pattern, match).collectList() : keysRaw(pattern, match);
    }

    @Override
    public KeyScanOptions options() {
        return options;
    }

    @Override
    public void close() {
        keyspace.close();
    }

    /** {@link #walk} with, if {@code distinctScan}, each key once per subscription. */
    private Flux<byte[]> scanRaw(String pattern, byte[] match) {
        if (!options.distinctScan()) {
            return walk(pattern, match);
        }
        return Flux.defer(() -> walk(pattern, match).filter(new KeyFingerprints()::add));
    }

    /** Every node's keys, each node walked with demand; a fresh iteration per subscription. */
    Flux<byte[]> walk(String pattern, byte[] match) {
        return nodes(pattern).flatMapMany(nodes -> {
            if (nodes.size() == 1) {
                return nodeWalk(nodes.get(0), pattern, match);
            }
            // One page in flight per node at most: prefetch 1 asks each node for one key, i.e. one page.
            return Flux.merge(Flux.fromIterable(nodes).map(node -> nodeWalk(node, pattern, match)), nodes.size(), 1);
        });
    }

    /** The servers to visit; an adapter's failure to tell them is a {@link KeyScanException} too. */
    private Mono<List<ScanNode>> nodes(String pattern) {
        return keyspace.nodes().onErrorMap(error -> !(error instanceof KeyScanException),
                error -> new KeyScanException("Listing keys of pattern " + Patterns.abbreviate(pattern)
                        + " failed: the servers to scan could not be determined: " + CommandRunner.describe(error),
                        pattern, null, 1, error));
    }

    private Flux<byte[]> nodeWalk(ScanNode node, String pattern, byte[] match) {
        return new NodeKeyWalk(() -> new NodeIteration(node, pattern, match, runner,
                CountTuner.forPattern(options, pattern)));
    }

    private Mono<List<byte[]>> keysRaw(String pattern, byte[] match) {
        return Mono.defer(() -> {
            if (keysDeprecationLogged.compareAndSet(false, true)) {
                log.warn("[DEPRECATION] keyscan listed keys with KEYS, which blocks the Redis server for the whole "
                        + "call (about 1 s per million keys). Set useScan = true (KEYSCAN_USE_SCAN=true) to list "
                        + "them with SCAN instead; the result is the same. Logged once per scanner.");
            }
            return nodes(pattern).flatMap(nodes -> Flux.fromIterable(nodes)
                    .flatMap(node -> runner.run(() -> node.keys(match), new Call("KEYS", pattern, node.address(), null)),
                            Math.max(1, nodes.size()))
                    .collect(ArrayList<byte[]>::new, (all, attempt) -> all.addAll(attempt.value)));
        });
    }
}
