package io.keyscan;

import io.keyscan.spi.ScanPage;
import io.keyscan.spi.ScanRequest;
import io.keyscan.spi.ServerInfo;
import java.util.List;
import java.util.function.BooleanSupplier;
import reactor.core.publisher.Mono;

/**
 * A server that changes mid-walk: SCAN calls go to {@code before} until {@code switched} turns true, then to
 * {@code after}. With the same hash seed and another table size, that is a resize; with another seed, run id and
 * connection epoch, a restarted process holding the same keys.
 */
final class SwitchingNode extends ScanOnlyNode {

    private final TableNode before;
    private final TableNode after;
    private final BooleanSupplier switched;
    private volatile boolean isSwitched;

    SwitchingNode(TableNode before, TableNode after, BooleanSupplier switched) {
        this.before = before;
        this.after = after;
        this.switched = switched;
    }

    @Override
    public String address() {
        return before.address();
    }

    @Override
    public Mono<ScanPage> scan(ScanRequest request) {
        return Mono.defer(() -> {
            if (!isSwitched && switched.getAsBoolean()) {
                isSwitched = true;
            }
            return isSwitched ? after.scan(request) : before.scan(request);
        });
    }

    @Override
    public Mono<List<byte[]>> keys(byte[] pattern) {
        return before.keys(pattern);
    }

    @Override
    public Mono<Boolean> exists(byte[] key) {
        return before.exists(key);
    }

    @Override
    public Mono<ServerInfo> serverInfo() {
        return Mono.defer(() -> isSwitched ? after.serverInfo() : before.serverInfo());
    }

    @Override
    public long connectionEpoch() {
        return isSwitched ? after.connectionEpoch() : before.connectionEpoch();
    }
}
