package io.keyscan.examples.export;

import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything a keyspace holds, read with plain Lettuce commands (not the tool's code): each key's type, TTL and
 * value, byte-exact, for comparing two keyspaces. Streams are read raw (XRANGE keeps repeated field names, which
 * Lettuce's StreamMessage map would merge) with their last generated ID.
 */
final class KeyspaceSnapshot {

    /** One key: type, TTL in ms (-1 for none) and value (a Bytes, Map, List, Set, or for streams a Stream). */
    record Entry(String type, long ttl, Object value) {
    }

    record Stream(List<List<Object>> entries, Bytes lastId) {
    }

    private KeyspaceSnapshot() {
    }

    static Map<Bytes, Entry> of(RedisClusterCommands<byte[], byte[]> redis) {
        Map<Bytes, Entry> keys = new TreeMap<>();
        ScanIterator<byte[]> scan = ScanIterator.scan(redis, ScanArgs.Builder.limit(1000));
        while (scan.hasNext()) {
            byte[] key = scan.next();
            keys.put(new Bytes(key), entry(redis, key));
        }
        return keys;
    }

    static Entry entry(RedisClusterCommands<byte[], byte[]> redis, byte[] key) {
        String type = redis.type(key);
        long ttl = redis.pttl(key);
        Object value = switch (type) {
            case "string" -> new Bytes(redis.get(key));
            case "hash" -> {
                Map<Bytes, Bytes> fields = new HashMap<>();
                redis.hgetall(key).forEach((field, v) -> fields.put(new Bytes(field), new Bytes(v)));
                yield fields;
            }
            case "list" -> bytes(redis.lrange(key, 0, -1));
            case "set" -> new HashSet<>(bytes(new ArrayList<>(redis.smembers(key))));
            case "zset" -> {
                Map<Bytes, Double> members = new HashMap<>();
                for (ScoredValue<byte[]> member : redis.zrangeWithScores(key, 0, -1)) {
                    members.put(new Bytes(member.getValue()), member.getScore());
                }
                yield members;
            }
            case "stream" -> stream(redis, key);
            default -> throw new IllegalStateException("unexpected type " + type);
        };
        return new Entry(type, ttl, value);
    }

    private static Stream stream(RedisClusterCommands<byte[], byte[]> redis, byte[] key) {
        List<Object> raw = redis.dispatch(CommandType.XRANGE, new NestedMultiOutput<>(ByteArrayCodec.INSTANCE),
                new CommandArgs<>(ByteArrayCodec.INSTANCE).addKey(key).add("-").add("+"));
        List<List<Object>> entries = new ArrayList<>();
        for (Object entry : raw) {
            List<?> idAndFields = (List<?>) entry;
            List<Object> normalized = new ArrayList<>();
            normalized.add(new Bytes((byte[]) idAndFields.get(0)));
            normalized.add(bytes((List<?>) idAndFields.get(1)));
            entries.add(normalized);
        }
        List<Object> info = redis.dispatch(CommandType.XINFO, new NestedMultiOutput<>(ByteArrayCodec.INSTANCE),
                new CommandArgs<>(ByteArrayCodec.INSTANCE).add("STREAM").addKey(key));
        Bytes lastId = null;
        for (int i = 0; i + 1 < info.size(); i += 2) {
            if (new Bytes((byte[]) info.get(i)).equals(Bytes.of("last-generated-id"))) {
                lastId = new Bytes((byte[]) info.get(i + 1));
            }
        }
        return new Stream(entries, lastId);
    }

    private static List<Bytes> bytes(List<?> items) {
        List<Bytes> out = new ArrayList<>(items.size());
        for (Object item : items) {
            out.add(new Bytes((byte[]) item));
        }
        return out;
    }

    /** The keys of a type, for the type filter's test. */
    static Set<Bytes> ofType(Map<Bytes, Entry> snapshot, String type) {
        Set<Bytes> keys = new HashSet<>();
        snapshot.forEach((key, entry) -> {
            if (entry.type().equals(type)) {
                keys.add(key);
            }
        });
        return keys;
    }
}
