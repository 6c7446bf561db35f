package io.keyscan.examples.export;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One line of an export file, read back for {@code import}: the key's bytes and the arguments of
 * {@code write-key.lua}. Every mistake in a line is an {@link IllegalArgumentException} saying what is wrong.
 */
record ImportLine(byte[] key, String kind, int part, long ttl, boolean last, byte[][] scriptArgs) {

    private static final Set<String> FIELDS = Set.of("key", "key_b64", "type", "ttl", "part", "value", "value_b64",
            "dump", "more");
    private static final Set<String> TYPES = Set.of("string", "hash", "list", "set", "zset", "stream");
    private static final Base64.Decoder BASE64 = Base64.getDecoder();

    /** {@link #of} the JSON in {@code text}. */
    static ImportLine parse(String text, String onExisting) {
        return of(JsonReader.parse(text), onExisting);
    }

    /**
     * @param parsed one line's JSON value ({@link JsonReader})
     * @param onExisting {@code replace} or {@code fail}: what the script does with a key that exists
     */
    static ImportLine of(@Nullable Object parsed, String onExisting) {
        if (!(parsed instanceof Map<?, ?> line)) {
            throw new IllegalArgumentException("not a JSON object");
        }
        for (Object name : line.keySet()) {
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException("unknown field \"" + name + "\"; a line has " + FIELDS);
            }
        }
        byte[] key = oneOf(line, "key", "key_b64");
        Object typeName = line.get("type");
        if (!(typeName instanceof String type)) {
            throw new IllegalArgumentException("no \"type\"");
        }
        boolean first = !line.containsKey("part");
        int part = 1;
        long ttl = -1;
        if (first) {
            Object ttlValue = line.get("ttl");
            if (!(ttlValue instanceof Long millis) || millis < -1) {
                throw new IllegalArgumentException("a key's first line needs \"ttl\": milliseconds, or -1 for none");
            }
            ttl = millis;
        } else if (!(line.get("part") instanceof Long partNumber) || partNumber < 2 || partNumber > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("\"part\" must be a whole number from 2");
        } else {
            part = (int) (long) (Long) line.get("part");
        }
        if (!first && line.containsKey("ttl")) {
            throw new IllegalArgumentException("\"ttl\" belongs to a key's first line, not to a \"part\"");
        }
        Object moreValue = line.containsKey("more") ? line.get("more") : Boolean.FALSE;
        if (!(moreValue instanceof Boolean more)) {
            throw new IllegalArgumentException("\"more\" must be true or false");
        }
        List<byte[]> args = new ArrayList<>();
        String kind;
        byte[] lastId = new byte[0];
        if (line.containsKey("dump")) {
            if (line.containsKey("value") || line.containsKey("value_b64")) {
                throw new IllegalArgumentException("a line has either a \"dump\" or a value, not both");
            }
            if (!first || more) {
                throw new IllegalArgumentException("a DUMP payload is one line");
            }
            kind = "dump";
            args.add(base64(line.get("dump"), "dump"));
        } else {
            if (!TYPES.contains(type)) {
                throw new IllegalArgumentException("type \"" + type + "\" has no value form; only a \"dump\" can "
                        + "carry it");
            }
            boolean base64 = line.containsKey("value_b64");
            if (!base64 && !line.containsKey("value")) {
                throw new IllegalArgumentException("no \"value\" or \"dump\": the file was exported without "
                        + "--values or --dump, so it lists keys but cannot restore them");
            }
            if (base64 && line.containsKey("value")) {
                throw new IllegalArgumentException("both \"value\" and \"value_b64\"");
            }
            kind = type;
            lastId = value(type, line.get(base64 ? "value_b64" : "value"), base64, args);
        }
        byte[][] scriptArgs = new byte[6 + args.size()][];
        scriptArgs[0] = ascii(kind);
        scriptArgs[1] = ascii(first ? "first" : "next");
        scriptArgs[2] = ascii(onExisting);
        scriptArgs[3] = ascii(Long.toString(ttl));
        scriptArgs[4] = ascii(more ? "more" : "last");
        scriptArgs[5] = lastId;
        for (int i = 0; i < args.size(); i++) {
            scriptArgs[6 + i] = args.get(i);
        }
        return new ImportLine(key, kind, part, ttl, !more, scriptArgs);
    }

    boolean first() {
        return part == 1;
    }

    /** This line with the TTL of its key, which a value's last line sets (the key's first line carries it). */
    ImportLine withTtl(long keyTtl) {
        byte[][] args = scriptArgs.clone();
        args[3] = ascii(Long.toString(keyTtl));
        return new ImportLine(key, kind, part, keyTtl, last, args);
    }

    /** Adds the value's script arguments to {@code args}; returns a stream's last ID (empty if none). */
    private static byte[] value(String type, Object value, boolean base64, List<byte[]> args) {
        String name = base64 ? "value_b64" : "value";
        switch (type) {
            case "string":
                args.add(bytes(value, base64, name));
                return new byte[0];
            case "hash":
                for (Map.Entry<?, ?> field : object(value, name).entrySet()) {
                    args.add(bytes(field.getKey(), base64, "a hash field"));
                    args.add(bytes(field.getValue(), base64, "a hash value"));
                }
                return new byte[0];
            case "list":
            case "set":
                for (Object item : array(value, name)) {
                    args.add(bytes(item, base64, "a " + type + " item"));
                }
                return new byte[0];
            case "zset":
                for (Map.Entry<?, ?> member : object(value, name).entrySet()) {
                    if (!(member.getValue() instanceof String score)) {
                        throw new IllegalArgumentException("a zset score must be a string (the double's text)");
                    }
                    args.add(score.getBytes(StandardCharsets.UTF_8)); // Redis checks it is a float
                    args.add(bytes(member.getKey(), base64, "a zset member"));
                }
                return new byte[0];
            default: // stream
                Map<?, ?> stream = object(value, name);
                for (Object entry : array(stream.get("entries"), "entries")) {
                    List<?> idAndFields = array(entry, "a stream entry");
                    if (idAndFields.size() != 2 || !(idAndFields.get(0) instanceof String id)) {
                        throw new IllegalArgumentException("a stream entry is [id, [field, value, ...]]");
                    }
                    List<?> fields = array(idAndFields.get(1), "a stream entry's fields");
                    if (fields.isEmpty() || fields.size() % 2 != 0) {
                        throw new IllegalArgumentException("a stream entry has field, value pairs");
                    }
                    args.add(id.getBytes(StandardCharsets.UTF_8)); // Redis checks it is an ID
                    args.add(ascii(Integer.toString(fields.size())));
                    for (Object field : fields) {
                        args.add(bytes(field, base64, "a stream field"));
                    }
                }
                Object lastId = stream.get("last_id");
                if (lastId != null && !(lastId instanceof String)) {
                    throw new IllegalArgumentException("\"last_id\" must be a string");
                }
                for (Object member : stream.keySet()) {
                    if (!member.equals("entries") && !member.equals("last_id")) {
                        throw new IllegalArgumentException("unknown stream member \"" + member + "\"");
                    }
                }
                return lastId == null ? new byte[0] : ((String) lastId).getBytes(StandardCharsets.UTF_8);
        }
    }

    private static byte[] oneOf(Map<?, ?> line, String textName, String base64Name) {
        boolean text = line.containsKey(textName);
        boolean base64 = line.containsKey(base64Name);
        if (text && base64) {
            throw new IllegalArgumentException("both \"" + textName + "\" and \"" + base64Name + "\"");
        }
        if (!text && !base64) {
            throw new IllegalArgumentException("no \"" + textName + "\" or \"" + base64Name + "\"");
        }
        return text ? bytes(line.get(textName), false, textName) : bytes(line.get(base64Name), true, base64Name);
    }

    private static byte[] bytes(Object value, boolean base64, String what) {
        if (!(value instanceof String text)) {
            throw new IllegalArgumentException(what + " must be a string");
        }
        return base64 ? base64(text, what) : text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] base64(Object value, String what) {
        if (!(value instanceof String text)) {
            throw new IllegalArgumentException(what + " must be a base64 string");
        }
        try {
            return BASE64.decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid base64: " + e.getMessage(), e);
        }
    }

    private static Map<?, ?> object(Object value, String what) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(what + " must be a JSON object");
        }
        return map;
    }

    private static List<?> array(Object value, String what) {
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException(what + " must be a JSON array");
        }
        return list;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
