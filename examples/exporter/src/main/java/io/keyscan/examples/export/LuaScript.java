package io.keyscan.examples.export;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import reactor.core.publisher.Mono;

/**
 * A Lua script of this tool, run with EVALSHA and, where the server does not have it yet (a fresh server, a node
 * after a failover), with EVAL, which also caches it there; nothing to load up front, on any node.
 */
final class LuaScript {

    static final LuaScript READ_KEYS = load("read-keys.lua");
    static final LuaScript WRITE_KEY = load("write-key.lua");

    private final String name;
    private final byte[] body;
    private final String sha1;

    private LuaScript(String name, byte[] body) {
        this.name = name;
        this.body = body;
        try {
            this.sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JDK", e);
        }
    }

    private static LuaScript load(String resource) {
        try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new LuaScript(resource, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /**
     * Runs the script; the call is sent on subscription (on a cluster, to the node serving the first key).
     *
     * @return the script's answer: for {@link ScriptOutputType#MULTI} a list of {@code byte[]}, {@link Long}, lists
     *     and {@code null}s
     */
    <T> Mono<T> run(RedisClusterAsyncCommands<byte[], byte[]> commands, ScriptOutputType output, byte[][] keys,
            byte[]... args) {
        return Mono.<T>fromCompletionStage(() -> commands.evalsha(sha1, output, keys, args))
                .onErrorResume(RedisNoScriptException.class, noScript -> Mono.fromCompletionStage(
                        () -> commands.eval(body, output, keys, args)));
    }

    @Override
    public String toString() {
        return name;
    }
}
