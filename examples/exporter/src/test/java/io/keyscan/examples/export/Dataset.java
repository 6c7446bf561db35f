package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.XAddArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * A keyspace with every type and the awkward cases an export must carry byte for byte: keys and values that are
 * not UTF-8, keys with newlines, quotes and glob characters, the empty key and the empty string, zset scores at
 * the edges of double, streams with repeated field names and empty streams, TTLs, and values big enough to be
 * exported in chunks (over 1,000 elements, over 1 MiB) or to overrun one call's budget (many 900-field hashes).
 */
final class Dataset {

    static final long TTL_MILLIS = 3_600_000;
    static final int BIG = 2_500;

    private Dataset() {
    }

    static byte[] b(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static void load(RedisClusterCommands<byte[], byte[]> redis) {
        Random random = new Random(20260204L);
        // strings
        redis.set(b("plain:1"), b("hello"));
        redis.set(b(""), b("the empty key"));
        redis.set(b("empty-value"), b(""));
        redis.set(b("new\nline\r\nkey"), b("value\nwith\nnewlines"));
        redis.set(b("quote\"back\\slash"), b("\"quoted\" \\ \u0000 \u001f \u007f"));
        redis.set(b("glob*?[a-z]\\key"), b("glob"));
        redis.set(b("ключ:ü:🎉"), b("värde 🎉 \u2028"));
        redis.set(new byte[] {'b', 'i', 'n', ':', (byte) 0xff, (byte) 0xfe}, b("key not UTF-8"));
        redis.set(b("bin-value"), new byte[] {0, (byte) 0xff, (byte) 0x80, 'x'});
        redis.set(b("surrogate-bytes"), new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}); // CESU, not UTF-8
        byte[] every = new byte[256];
        for (int i = 0; i < 256; i++) {
            every[i] = (byte) i;
        }
        redis.set(b("every-byte"), every);
        byte[] bigBinary = new byte[3 * 1024 * 1024 + 17];
        random.nextBytes(bigBinary);
        redis.set(b("big:binary-string"), bigBinary);
        redis.set(b("big:text-string"), b("0123456789abcdef".repeat(160_000)));
        redis.set(b("ttl:string"), b("expires"));
        redis.pexpire(b("ttl:string"), TTL_MILLIS);
        for (int i = 0; i < 3_000; i++) {
            redis.set(b("small:" + i), b("v" + i));
        }

        // hashes
        Map<byte[], byte[]> hash = new LinkedHashMap<>();
        hash.put(b("f1"), b("v1"));
        hash.put(new byte[] {(byte) 0xc0, 'f'}, new byte[] {(byte) 0xfe});
        hash.put(b(""), b(""));
        redis.hset(b("hash:small"), hash);
        redis.hset(b("big:hash"), numbered("field-", "value-", BIG));
        redis.pexpire(b("big:hash"), TTL_MILLIS);
        for (int i = 0; i < 30; i++) {
            redis.hset(b("budget:hash:" + i), numbered("f", "v", 900));
        }

        // lists
        redis.rpush(b("list:small"), b("a"), b("b"), b("a"), b(""), new byte[] {(byte) 0x80});
        byte[][] items = new byte[BIG][];
        for (int i = 0; i < BIG; i++) {
            items[i] = b("item-" + (i % 100)); // repeats, order matters
        }
        redis.rpush(b("big:list"), items);

        // sets
        redis.sadd(b("set:small"), b("x"), b("y"), new byte[] {(byte) 0xff});
        byte[][] members = new byte[BIG][];
        for (int i = 0; i < BIG; i++) {
            members[i] = b("member-" + i);
        }
        redis.sadd(b("big:set"), members);

        // sorted sets: scores at the edges of double, read back exactly
        double[] scores = {0.1, 1.0 / 3, -0.0, 0.0, 1e300, -1e-300, Double.MIN_VALUE, Double.MAX_VALUE,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 42, -7.25};
        for (int i = 0; i < scores.length; i++) {
            redis.zadd(b("zset:edges"), scores[i], b("m" + i));
        }
        redis.zadd(b("zset:edges"), 1.5, new byte[] {(byte) 0xff, 'm'});
        for (int i = 0; i < BIG; i++) {
            redis.zadd(b("big:zset"), random.nextDouble() * 1e6 - 5e5, b("member-" + i));
        }
        redis.pexpire(b("big:zset"), TTL_MILLIS);

        // streams
        redis.xadd(b("stream:small"), new XAddArgs().id("1-1"), b("f"), b("v"), b("f"), b("repeated"));
        redis.xadd(b("stream:small"), new XAddArgs().id("1-2"), b("bin"), new byte[] {(byte) 0xff});
        redis.xadd(b("stream:small"), new XAddArgs().id("5-0"), b("gone"), b("soon"));
        redis.xdel(b("stream:small"), "5-0"); // last generated ID 5-0 stays above the last entry
        redis.xadd(b("stream:emptied"), new XAddArgs().id("7-3"), b("a"), b("b"));
        redis.xdel(b("stream:emptied"), "7-3");
        redis.dispatch(CommandType.XGROUP, new StatusOutput<>(ByteArrayCodec.INSTANCE),
                new CommandArgs<>(ByteArrayCodec.INSTANCE).add("CREATE").addKey(b("stream:never-added")).add("g")
                        .add("$").add("MKSTREAM"));
        redis.dispatch(CommandType.XGROUP, new io.lettuce.core.output.IntegerOutput<>(ByteArrayCodec.INSTANCE),
                new CommandArgs<>(ByteArrayCodec.INSTANCE).add("DESTROY").addKey(b("stream:never-added")).add("g"));
        for (int i = 1; i <= BIG; i++) {
            redis.xadd(b("big:stream"), new XAddArgs().id(i + "-0"), b("n"), b(Integer.toString(i)), b("n"),
                    b("again"));
        }
        redis.pexpire(b("stream:small"), TTL_MILLIS);
    }

    private static Map<byte[], byte[]> numbered(String field, String value, int count) {
        Map<byte[], byte[]> map = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            map.put(b(field + i), b(value + i));
        }
        return map;
    }

    /** Both keyspaces hold the same keys with the same types and values, and TTLs within {@code ttlTolerance} ms. */
    static void assertSameKeyspace(Map<Bytes, KeyspaceSnapshot.Entry> expected, Map<Bytes, KeyspaceSnapshot.Entry> actual,
            long ttlTolerance) {
        Set<Bytes> missing = new TreeSet<>(expected.keySet());
        missing.removeAll(actual.keySet());
        Set<Bytes> extra = new TreeSet<>(actual.keySet());
        extra.removeAll(expected.keySet());
        assertThat(missing).as("keys missing").isEmpty();
        assertThat(extra).as("keys that should not be there").isEmpty();
        expected.forEach((key, want) -> {
            KeyspaceSnapshot.Entry got = actual.get(key);
            assertThat(got.type()).as("type of %s", key).isEqualTo(want.type());
            assertThat(got.value()).as("value of %s", key).isEqualTo(want.value());
            if (want.ttl() < 0) {
                assertThat(got.ttl()).as("TTL of %s", key).isEqualTo(want.ttl());
            } else {
                assertThat(got.ttl()).as("TTL of %s", key).isPositive().isCloseTo(want.ttl(),
                        org.assertj.core.data.Offset.offset(ttlTolerance));
            }
        });
    }
}
