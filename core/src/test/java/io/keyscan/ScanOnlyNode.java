package io.keyscan;

import io.keyscan.spi.ScanNode;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * A scripted node that only answers SCAN (and says what server it is): what the engine tests of the walk need. The
 * other commands fail naming the node's class, free SCAN time is reported, and the connection never changes, unless
 * a subclass says otherwise.
 */
abstract class ScanOnlyNode implements ScanNode {

    private UnsupportedOperationException unsupported(String command) {
        return new UnsupportedOperationException(command + " is not scripted on " + getClass().getSimpleName());
    }

    @Override
    public Mono<List<byte[]>> keys(byte[] pattern) {
        return Mono.error(unsupported("KEYS"));
    }

    @Override
    public Mono<Long> scanMicros() {
        return Mono.just(0L);
    }

    @Override
    public Mono<List<String>> types(List<byte[]> keys) {
        return Mono.error(unsupported("TYPE"));
    }

    @Override
    public Mono<Boolean> exists(byte[] key) {
        return Mono.error(unsupported("EXISTS"));
    }

    @Override
    public long connectionEpoch() {
        return 0;
    }
}
