package io.keyscan.examples.export;

import io.keyscan.KeyType;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Reads what the export writes for listed keys: type, TTL and value (or DUMP payload), as {@link ExportLine}s.
 *
 * <p>A batch of keys is read with one call of {@code read-keys.lua} (on a cluster, one call per hash slot in the
 * batch), which answers each key's type, TTL and value atomically, so a small key is never seen half-changed. The
 * script reads at most {@link Limits#callElements} elements and {@link Limits#callBytes} string bytes per call, so
 * that no call holds the server long; keys past that budget are read again alone. Values larger than one line
 * should hold ({@link Limits#inlineElements}, {@link Limits#inlineBytes}) are read in chunks, HSCAN, SSCAN, ZSCAN,
 * LRANGE, XRANGE or GETRANGE, one line per chunk: not atomically, so a big key changed during its reading is
 * exported as a mix of states, as SCAN itself sees a changing keyspace.
 *
 * <p>Transient failures (a timeout, a dropped connection) are retried: reading is idempotent.
 */
final class KeyReader {

    /** What is read of each key. */
    enum Mode {
        /** type and TTL */
        META,
        /** type, TTL and the value in a form that round-trips */
        VALUES,
        /** type, TTL and the DUMP payload */
        DUMP
    }

    /** Bounds of what one call and one line carry. */
    record Limits(int inlineElements, int inlineBytes, int callElements, int callBytes, int chunkElements,
            int chunkBytes) {

        static final Limits DEFAULT = new Limits(1000, 1 << 20, 10_000, 4 << 20, 1000, 1 << 20);

        Limits {
            if (callElements < inlineElements || callBytes < inlineBytes) {
                throw new IllegalArgumentException("a call's budget must hold at least one whole value");
            }
        }
    }

    /** What was listed but not exported. */
    static final class Counts {
        /** Keys that were deleted (or expired) between listing and reading. */
        final AtomicLong vanished = new AtomicLong();
        /** Keys of another type than {@code --type}. */
        final AtomicLong otherType = new AtomicLong();
    }

    private static final ByteArrayCodec CODEC = ByteArrayCodec.INSTANCE;
    private static final byte[] NONE = ascii("none");
    private static final byte[] SKIP = ascii("skip");
    private static final String NO_SUCH_KEY = "ERR no such key";
    /** Above every size a key can have: a single-key DUMP read takes the key whatever its size. */
    private static final String UNLIMITED = Long.toString((1L << 53) - 1);

    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final boolean cluster;
    private final Mode mode;
    private final @Nullable KeyType type;
    private final Limits limits;
    private final Counts counts;
    private final byte[][] batchArgs;
    private final byte[][] aloneArgs;
    private final byte[][] unlimitedArgs;

    KeyReader(RedisClusterAsyncCommands<byte[], byte[]> commands, boolean cluster, Mode mode, @Nullable KeyType type,
            Limits limits, Counts counts) {
        this.commands = commands;
        this.cluster = cluster;
        this.mode = mode;
        this.type = type;
        this.limits = limits;
        this.counts = counts;
        this.batchArgs = scriptArgs(limits.inlineElements, limits.inlineBytes, limits.callElements, limits.callBytes);
        this.aloneArgs = scriptArgs(limits.inlineElements, limits.inlineBytes, limits.inlineElements,
                limits.inlineBytes);
        this.unlimitedArgs = scriptArgs(UNLIMITED, UNLIMITED, UNLIMITED, UNLIMITED);
    }

    private byte[][] scriptArgs(Object inlineElements, Object inlineBytes, Object callElements, Object callBytes) {
        return new byte[][] {ascii(mode.name().toLowerCase(Locale.ROOT)),
                ascii(type == null ? "" : type.redisName()), ascii(inlineElements.toString()),
                ascii(inlineBytes.toString()), ascii(callElements.toString()), ascii(callBytes.toString())};
    }

    /**
     * The lines of {@code keys}, each key's lines together and in order; keys that vanished or are of another type
     * than asked write nothing. Cold: nothing is sent before subscription.
     */
    Flux<ExportLine> read(List<byte[]> keys) {
        if (!cluster || keys.size() == 1) {
            return call(keys, batchArgs);
        }
        // a script may only touch keys of one slot: one call per slot, answered in the batch's order
        Map<Integer, List<byte[]>> bySlot = new LinkedHashMap<>();
        for (byte[] key : keys) {
            bySlot.computeIfAbsent(SlotHash.getSlot(key), slot -> new ArrayList<>()).add(key);
        }
        List<Flux<ExportLine>> calls = new ArrayList<>(bySlot.size());
        for (List<byte[]> slotKeys : bySlot.values()) {
            calls.add(call(slotKeys, batchArgs));
        }
        return Flux.mergeSequential(calls);
    }

    private Flux<ExportLine> call(List<byte[]> keys, byte[][] args) {
        byte[][] keyArray = keys.toArray(new byte[0][]);
        return retried(LuaScript.READ_KEYS.<List<Object>>run(commands, ScriptOutputType.MULTI, keyArray, args))
                .flatMapMany(answers -> {
                    List<Flux<ExportLine>> perKey = new ArrayList<>(keys.size());
                    for (int i = 0; i < keyArray.length; i++) {
                        perKey.add(lines(keyArray[i], (List<?>) answers.get(i), args));
                    }
                    // in order, each key's lines together; a chunked key is read while its lines are written
                    return Flux.concat(perKey);
                });
    }

    private Flux<ExportLine> lines(byte[] key, List<?> answer, byte[][] args) {
        byte[] typeName = (byte[]) answer.get(0);
        if (Arrays.equals(typeName, NONE)) {
            counts.vanished.incrementAndGet();
            return Flux.empty();
        }
        if (Arrays.equals(typeName, SKIP)) {
            counts.otherType.incrementAndGet();
            return Flux.empty();
        }
        String keyType = new String(typeName, StandardCharsets.US_ASCII);
        long ttl = (Long) answer.get(1);
        if (mode == Mode.META) {
            return Flux.just(ExportLine.meta(key, keyType, ttl));
        }
        long size = (Long) answer.get(2);
        Object value = answer.get(3);
        if (value != null) {
            return Flux.just(mode == Mode.DUMP ? ExportLine.dump(key, keyType, ttl, (byte[]) value)
                    : whole(key, keyType, ttl, value));
        }
        if (mode == Mode.DUMP) {
            // a DUMP payload cannot be split: a big key is dumped alone, whole
            return args == unlimitedArgs ? Flux.error(new IllegalStateException("no DUMP payload for a key"))
                    : call(List.of(key), unlimitedArgs);
        }
        if (size < 0) {
            return Flux.error(new ExportException("key " + Keys.show(key) + " has type " + keyType
                    + ", which --values cannot export; --dump can (restored with RESTORE on the same Redis version)"));
        }
        boolean fitsOneLine = keyType.equals("string") ? size <= limits.inlineBytes : size <= limits.inlineElements;
        if (fitsOneLine && args == batchArgs) {
            return call(List.of(key), aloneArgs); // past this call's budget: read alone, still atomic
        }
        return chunked(key, keyType, ttl);
    }

    private static ExportLine whole(byte[] key, String type, long ttl, Object value) {
        if (type.equals("string")) {
            return ExportLine.value(key, type, ttl, 1, List.of(value), null, false);
        }
        if (type.equals("stream")) {
            List<?> lastIdAndEntries = (List<?>) value;
            return ExportLine.value(key, type, ttl, 1, (List<?>) lastIdAndEntries.get(1),
                    (byte[]) lastIdAndEntries.get(0), false);
        }
        return ExportLine.value(key, type, ttl, 1, (List<?>) value, null, false);
    }

    /** A big value, one line per chunk; the last line is the one without {@code "more"}. */
    private Flux<ExportLine> chunked(byte[] key, String type, long ttl) {
        return Flux.defer(() -> {
            Chunks chunks = new Chunks(key, type);
            Flux<Object> pages = Mono.defer(chunks::next).repeat(() -> !chunks.done)
                    .filter(page -> !page.isEmpty())
                    .cast(Object.class);
            Mono<Object> end = type.equals("stream") ? lastId(key).map(End::new).defaultIfEmpty(new End(null))
                    .cast(Object.class) : Mono.just(new End(null));
            int[] part = {0};
            // each chunk is written once the next is known, to say whether more follows
            return pages.concatWith(end).buffer(2, 1).concatMap(window -> {
                if (window.size() < 2) {
                    if (part[0] == 0) {
                        counts.vanished.incrementAndGet();
                    }
                    return Mono.empty();
                }
                List<?> page = (List<?>) window.get(0);
                Object next = window.get(1);
                boolean more = !(next instanceof End);
                byte[] lastId = more ? null : ((End) next).lastId;
                return Mono.just(ExportLine.value(key, type, ttl, ++part[0], page, lastId, more));
            }).onErrorMap(RedisCommandExecutionException.class, e -> e.getMessage() != null
                    && e.getMessage().startsWith("WRONGTYPE") ? new ExportException("key " + Keys.show(key)
                    + " stopped being a " + type + " while its value was read in chunks; the file holds part of it",
                    e) : e);
        });
    }

    /** The end of a chunked value; for a stream, its last generated ID if the key still exists. */
    private record End(byte @Nullable [] lastId) {
    }

    /** The cursor (or offset) of one chunked value. */
    private final class Chunks {
        private final byte[] key;
        private final String type;
        private byte[] cursor = ascii("0");
        private long offset;
        private @Nullable String afterId;
        boolean done;

        Chunks(byte[] key, String type) {
            this.key = key;
            this.type = type;
        }

        /** The next chunk's elements (maybe none); sets {@link #done} after the last. */
        Mono<List<?>> next() {
            int n = limits.chunkElements;
            switch (type) {
                case "string":
                    long from = offset;
                    return retried(Mono.fromCompletionStage(() -> commands.getrange(key, from,
                            from + limits.chunkBytes - 1))).map(bytes -> {
                                offset += bytes.length;
                                done = bytes.length < limits.chunkBytes;
                                return bytes.length == 0 ? List.of() : List.of(bytes);
                            });
                case "list":
                    long start = offset;
                    return dispatch(CommandType.LRANGE, args().add(start).add(start + n - 1)).map(items -> {
                        offset += items.size();
                        done = items.size() < n;
                        return items;
                    });
                case "stream":
                    String first = afterId == null ? "-" : "(" + afterId;
                    return dispatch(CommandType.XRANGE, args().add(first).add("+").add("COUNT").add(n)).map(entries -> {
                        done = entries.size() < n;
                        if (!entries.isEmpty()) {
                            afterId = new String((byte[]) ((List<?>) entries.get(entries.size() - 1)).get(0),
                                    StandardCharsets.US_ASCII);
                        }
                        return entries;
                    });
                default:
                    CommandType command = type.equals("hash") ? CommandType.HSCAN
                            : type.equals("set") ? CommandType.SSCAN : CommandType.ZSCAN;
                    return dispatch(command, args().add(cursor).add("COUNT").add(n)).map(reply -> {
                        cursor = (byte[]) reply.get(0);
                        done = cursor.length == 1 && cursor[0] == '0';
                        return (List<?>) reply.get(1);
                    });
            }
        }

        private CommandArgs<byte[], byte[]> args() {
            return new CommandArgs<>(CODEC).addKey(key);
        }
    }

    /** A stream's last generated ID, from XINFO STREAM; empty if the key is gone. */
    private Mono<byte[]> lastId(byte[] key) {
        return dispatch(CommandType.XINFO, new CommandArgs<>(CODEC).add("STREAM").addKey(key))
                .flatMap(info -> {
                    for (int i = 0; i + 1 < info.size(); i += 2) {
                        if ("last-generated-id".equals(text(info.get(i)))) {
                            return Mono.just((byte[]) info.get(i + 1));
                        }
                    }
                    return Mono.error(new ExportException("XINFO STREAM answered no last-generated-id for "
                            + Keys.show(key)));
                })
                .onErrorResume(RedisCommandExecutionException.class, e -> NO_SUCH_KEY.equals(e.getMessage())
                        ? Mono.empty() : Mono.error(e));
    }

    private static @Nullable String text(Object element) {
        return element instanceof byte[] bytes ? new String(bytes, StandardCharsets.US_ASCII)
                : element instanceof String s ? s : null;
    }

    private Mono<List<Object>> dispatch(CommandType command, CommandArgs<byte[], byte[]> args) {
        return retried(Mono.fromCompletionStage(() -> commands.dispatch(command, new NestedMultiOutput<>(CODEC),
                args)));
    }

    private static <T> Mono<T> retried(Mono<T> call) {
        return call.retryWhen(Retry.backoff(3, Duration.ofMillis(200))
                .filter(e -> e instanceof RedisCommandTimeoutException || e instanceof RedisConnectionException)
                .onRetryExhaustedThrow((spec, signal) -> signal.failure()));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
