package io.keyscan;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** A key and its string value, as {@link KeyScanner#scanValues(String)} lists them. Immutable. */
public final class KeyValue {

    private final String key;
    private final String value;

    private KeyValue(String key, String value) {
        this.key = key;
        this.value = value;
    }

    /**
     * A pair; neither may be {@code null}.
     *
     * @param key the key
     * @param value its value
     * @return the pair
     */
    public static KeyValue of(String key, String value) {
        return new KeyValue(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    }

    /** {@return the key} */
    public String key() {
        return key;
    }

    /** {@return the key's string value} */
    public String value() {
        return value;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof KeyValue && key.equals(((KeyValue) o).key) && value.equals(((KeyValue) o).value);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + value.hashCode();
    }

    @Override
    public String toString() {
        return key + "=" + (value.length() <= 40 ? value : value.substring(0, 40) + "...(" + value.length() + " chars)");
    }
}
