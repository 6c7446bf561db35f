package io.keyscan.examples.export;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One NDJSON line of an export, already encoded; whether it starts a key (the writer counts keys by it) and whether
 * the key's value continues on the next line.
 *
 * <p>The format ({@code docs/export.md}): an object with {@code "key"} (the key as text) or {@code "key_b64"} (its
 * bytes in base64, when they are not valid UTF-8), {@code "type"}, then {@code "ttl"} (milliseconds, -1 for none) on
 * a key's first line or {@code "part"} (2, 3, ...) on the lines that continue a value too big for one, then
 * {@code "value"} (or {@code "value_b64"}: the same shape with every Redis string in base64), or {@code "dump"}
 * (a DUMP payload, base64), and {@code "more": true} when the value continues on the next line.
 */
record ExportLine(byte[] bytes, boolean startsKey, boolean more) {

    /** A key's type and TTL only ({@code export} without {@code --values}). */
    static ExportLine meta(byte[] key, String type, long ttl) {
        JsonWriter json = start(key, type, 64);
        json.name("ttl").value(ttl);
        return new ExportLine(json.endObject().toLine(), true, false);
    }

    /** A key's DUMP payload. */
    static ExportLine dump(byte[] key, String type, long ttl, byte[] payload) {
        JsonWriter json = start(key, type, payload.length * 4 / 3 + 96);
        json.name("ttl").value(ttl);
        json.name("dump").base64(payload);
        return new ExportLine(json.endObject().toLine(), true, false);
    }

    /**
     * Part {@code part} (1 for a key's first line) of a value.
     *
     * @param elements what Redis answered: for a string its bytes (one element); for a hash field, value, field,
     *     value...; for a list or set the items; for a zset member, score, member, score...; for a stream the
     *     entries, each {@code [id, [field, value, ...]]}
     * @param lastId a stream's last generated ID, on its last part (null otherwise)
     */
    static ExportLine value(byte[] key, String type, long ttl, int part, List<?> elements, @Nullable byte[] lastId,
            boolean more) {
        boolean base64 = !allUtf8(type, elements);
        JsonWriter json = start(key, type, 256);
        if (part == 1) {
            json.name("ttl").value(ttl);
        } else {
            json.name("part").value(part);
        }
        json.name(base64 ? "value_b64" : "value");
        switch (type) {
            case "string":
                json.text((byte[]) elements.get(0), base64);
                break;
            case "hash":
            case "zset":
                // a zset member's score is Redis' own ASCII text of the double: exact, never base64
                json.startObject();
                for (int i = 0; i + 1 < elements.size(); i += 2) {
                    json.name((byte[]) elements.get(i), base64);
                    if (type.equals("zset")) {
                        json.value(ascii((byte[]) elements.get(i + 1)));
                    } else {
                        json.text((byte[]) elements.get(i + 1), base64);
                    }
                }
                json.endObject();
                break;
            case "list":
            case "set":
                json.startArray();
                for (Object item : elements) {
                    json.text((byte[]) item, base64);
                }
                json.endArray();
                break;
            case "stream":
                json.startObject().name("entries").startArray();
                for (Object entry : elements) {
                    List<?> idAndFields = (List<?>) entry;
                    json.startArray().value(ascii((byte[]) idAndFields.get(0))).startArray();
                    for (Object field : (List<?>) idAndFields.get(1)) {
                        json.text((byte[]) field, base64);
                    }
                    json.endArray().endArray();
                }
                json.endArray();
                if (lastId != null) {
                    json.name("last_id").value(ascii(lastId));
                }
                json.endObject();
                break;
            default:
                throw new IllegalArgumentException("no value form for type " + type);
        }
        if (more) {
            json.name("more").value(true);
        }
        return new ExportLine(json.endObject().toLine(), part == 1, more);
    }

    private static JsonWriter start(byte[] key, String type, int valueSize) {
        JsonWriter json = new JsonWriter(key.length + valueSize + 48).startObject();
        boolean text = Utf8.isValid(key);
        json.name(text ? "key" : "key_b64").text(key, !text);
        return json.name("type").value(type);
    }

    /** Whether every Redis string of the value is valid UTF-8 (scores and stream IDs are ASCII anyway). */
    private static boolean allUtf8(String type, List<?> elements) {
        if (type.equals("stream")) {
            for (Object entry : elements) {
                for (Object field : (List<?>) ((List<?>) entry).get(1)) {
                    if (!Utf8.isValid((byte[]) field)) {
                        return false;
                    }
                }
            }
            return true;
        }
        int step = type.equals("zset") ? 2 : 1; // zset: members only
        for (int i = 0; i < elements.size(); i += step) {
            if (!Utf8.isValid((byte[]) elements.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
