package io.keyscan;

import io.keyscan.spi.RedisKeyspace;
import io.keyscan.spi.ScanNode;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;

/** A keyspace of scripted nodes. {@link IOException}s are transient, as connection failures are. */
class ScriptedKeyspace implements RedisKeyspace {

    final List<ScanNode> nodes;
    final AtomicBoolean closed = new AtomicBoolean();

    ScriptedKeyspace(ScanNode... nodes) {
        this.nodes = List.of(nodes);
    }

    @Override
    public Mono<List<ScanNode>> nodes() {
        return Mono.just(nodes);
    }

    @Override
    public Mono<ScanNode> nodeForKey(byte[] key) {
        return Mono.just(nodes.get(0));
    }

    @Override
    public boolean isTransient(Throwable error) {
        return error instanceof IOException;
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
