package io.keyscan;

import io.keyscan.CommandRunner.Call;
import io.keyscan.spi.ScanNode;
import io.keyscan.spi.ServerInfo;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/** Limiting a listing to one type: by SCAN's TYPE argument where the server takes it, by TYPE calls otherwise. */
final class TypeFilter {

    /** Keys per pipelined batch of TYPE calls. */
    static final int BATCH = 1000;

    private TypeFilter() {
    }

    /** Whether SCAN on {@code server} takes a TYPE argument: Redis 6.0+ (and its descendants). */
    static boolean serverFilters(@Nullable ServerInfo server) {
        if (server == null || !(server.product().equals("redis") || server.product().equals("valkey"))) {
            return false;
        }
        try {
            return Integer.parseInt(server.version().split("\\.")[0]) >= 6;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** {@code keys} whose type is {@code type}, asked of {@code node}; all of them when {@code type} is null. */
    static Mono<List<byte[]>> ofType(CommandRunner runner, String pattern, @Nullable KeyType type, ScanNode node,
            List<byte[]> keys) {
        if (type == null || keys.isEmpty()) {
            return Mono.just(keys);
        }
        return runner.run(() -> node.types(keys), new Call("TYPE", pattern, node::address, null)).map(attempt -> {
            List<byte[]> kept = new ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                if (type.redisName().equals(attempt.value().get(i))) {
                    kept.add(keys.get(i));
                }
            }
            return kept;
        });
    }
}
