package io.keyscan;

import io.keyscan.spi.FailureKind;
import io.keyscan.spi.RedisKeyspace;
import io.keyscan.spi.ScanNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/** A keyspace of scripted nodes. {@link IOException}s are transient, as connection failures are. */
class ScriptedKeyspace implements RedisKeyspace {

    final List<ScanNode> nodes;
    final AtomicBoolean closed = new AtomicBoolean();
    /** The key count of every MGET, in order. */
    final List<Integer> mgets = new java.util.concurrent.CopyOnWriteArrayList<>();

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

    /** MGET over the first node's {@code values}, as a server would answer it. */
    @Override
    public Mono<List<byte @Nullable []>> values(List<byte[]> keys) {
        return Mono.fromCallable(() -> {
            mgets.add(keys.size());
            ScriptedNode node = (ScriptedNode) nodes.get(0);
            List<byte @Nullable []> answer = new ArrayList<>();
            for (byte[] key : keys) {
                String value = node.values.get(new String(key, StandardCharsets.UTF_8));
                answer.add(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
            }
            return answer;
        });
    }

    @Override
    public FailureKind classify(Throwable error) {
        if (error instanceof IOException) {
            return FailureKind.TRANSIENT;
        }
        // as an adapter would classify these server replies
        String message = String.valueOf(error.getMessage());
        return message.startsWith("NOPERM") || message.startsWith("ERR unknown command")
                ? FailureKind.COMMAND_UNAVAILABLE : FailureKind.PERMANENT;
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
