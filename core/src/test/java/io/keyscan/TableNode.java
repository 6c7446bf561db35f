package io.keyscan;

import io.keyscan.spi.ScanPage;
import io.keyscan.spi.ScanRequest;
import io.keyscan.spi.ServerInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;

/**
 * A fake server whose SCAN walks a fixed hash table exactly as Redis' {@code dictScan} does: the cursor is a
 * bucket index counted with reversed bits, COUNT is buckets per call, cursor 0 ends the walk. For testing cursor
 * ranges without a server; a hook runs before each SCAN (to change the server mid-walk).
 */
class TableNode extends ScanOnlyNode {

    final List<String> sent = new CopyOnWriteArrayList<>();
    final AtomicLong epoch = new AtomicLong();
    private final List<List<String>> buckets = new ArrayList<>();
    private final long mask;
    private volatile String runId = "table-1";
    private volatile String product = "redis";
    private volatile Consumer<ScanRequest> beforeScan = request -> { };

    TableNode(int bits, List<String> keys, int seed) {
        int size = 1 << bits;
        this.mask = size - 1;
        for (int i = 0; i < size; i++) {
            buckets.add(new ArrayList<>());
        }
        for (String key : keys) {
            int hash = (key.hashCode() * 0x9E3779B1) ^ seed;
            buckets.get((int) (hash & mask)).add(key);
        }
    }

    TableNode product(String product) {
        this.product = product;
        return this;
    }

    TableNode runId(String runId) {
        this.runId = runId;
        return this;
    }

    TableNode beforeScan(Consumer<ScanRequest> hook) {
        this.beforeScan = hook;
        return this;
    }

    @Override
    public String address() {
        return "table:6379";
    }

    @Override
    public Mono<ScanPage> scan(ScanRequest request) {
        return Mono.fromCallable(() -> {
            sent.add(request.cursor());
            beforeScan.accept(request);
            long v = Long.parseUnsignedLong(request.cursor());
            List<byte[]> keys = new ArrayList<>();
            int visited = 0;
            do {
                for (String key : buckets.get((int) (v & mask))) {
                    keys.add(key.getBytes(StandardCharsets.UTF_8));
                }
                // dictScan: set the bits above the mask, increment the reversed cursor, reverse back
                v |= ~mask;
                v = Long.reverse(v);
                v++;
                v = Long.reverse(v);
                visited++;
            } while (v != 0 && visited < request.count());
            return ScanPage.of(Long.toUnsignedString(v), keys);
        });
    }

    @Override
    public Mono<ServerInfo> serverInfo() {
        return Mono.fromCallable(() -> ServerInfo.of(runId, product, "7.0.15", "standalone"));
    }

    @Override
    public long connectionEpoch() {
        return epoch.get();
    }
}
