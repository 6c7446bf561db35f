package io.keyscan;

import java.util.Locale;
import java.util.Objects;

/**
 * The Redis data types a listing can be limited to, as {@code TYPE} names them. Module types are not
 * supported: their names differ from one module and server to the next.
 */
public enum KeyType {
    /** {@code string} */
    STRING("string"),
    /** {@code hash} */
    HASH("hash"),
    /** {@code list} */
    LIST("list"),
    /** {@code set} */
    SET("set"),
    /** {@code zset}, a sorted set */
    ZSET("zset"),
    /** {@code stream} */
    STREAM("stream");

    private final String redisName;

    KeyType(String redisName) {
        this.redisName = redisName;
    }

    /** {@return the name {@code TYPE} and {@code SCAN ... TYPE} use, e.g. {@code zset}} */
    public String redisName() {
        return redisName;
    }

    /**
     * The type named {@code name} (case-insensitive).
     *
     * @param name a type name, e.g. {@code hash}
     * @return the type
     * @throws IllegalArgumentException naming the value and the allowed names when it is none of them (Redis
     *     7.0 silently lists nothing for an unknown name, and 7.2+ fails: keyscan refuses it on every version)
     */
    public static KeyType of(String name) {
        Objects.requireNonNull(name, "type must not be null");
        String lower = name.trim().toLowerCase(Locale.ROOT);
        for (KeyType type : values()) {
            if (type.redisName.equals(lower)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown key type '" + name + "': expected one of string, hash, list, set, "
                + "zset, stream");
    }
}
