package io.keyscan.examples.export;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads one JSON document (one NDJSON line, as UTF-8 bytes) with Jackson's streaming parser into {@link Map}
 * (members in order), {@link List}, {@link String}, {@link Long} (integers), {@link Double} (other numbers),
 * {@link Boolean} and {@code null}. Strict: standard JSON only, a duplicate member name, a number outside a long's
 * range (for an integer), a lone UTF-16 surrogate in a {@code \\u} escape (it has no UTF-8 form, so could not stand
 * for bytes), nesting deeper than {@value #MAX_DEPTH} and anything after the document are errors, each an
 * {@link IllegalArgumentException} saying what is wrong and at which column (columns count bytes, from 1).
 *
 * <p>The caller bounds the line's length ({@link RecordReader}); strings and member names may be as long as it.
 */
final class JsonReader {

    static final int MAX_DEPTH = 32;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // member names are Redis data (hash fields, zset members): no symbol table of them
            .disable(TokenStreamFactory.Feature.CANONICALIZE_PROPERTY_NAMES)
            .disable(TokenStreamFactory.Feature.INTERN_PROPERTY_NAMES)
            .build();

    private JsonReader() {
    }

    /** {@link #parse(byte[], int, int)} of the UTF-8 bytes of {@code text}. */
    static @Nullable Object parse(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return parse(bytes, 0, bytes.length);
    }

    /**
     * The JSON value in {@code bytes[offset..offset+length)}.
     *
     * @throws IllegalArgumentException saying what is wrong and where
     */
    static @Nullable Object parse(byte[] bytes, int offset, int length) {
        try (JsonParser parser = FACTORY.createParser(ObjectReadContext.empty(), bytes, offset, length)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new IllegalArgumentException("an empty line, where a JSON object was expected");
            }
            Object value = value(parser, first);
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("unexpected text after the JSON value" + at(parser.currentTokenLocation()));
            }
            return value;
        } catch (StreamConstraintsException e) { // the only constraint set: the depth
            throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH + " levels" + at(e.getLocation()), e);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("malformed JSON" + at(e.getLocation()) + ": " + e.getOriginalMessage(),
                    e);
        }
    }

    private static @Nullable Object value(JsonParser parser, JsonToken token) {
        switch (token) {
            case START_OBJECT: {
                Map<String, Object> members = new LinkedHashMap<>();
                for (JsonToken next = parser.nextToken(); next != JsonToken.END_OBJECT; next = parser.nextToken()) {
                    String name = checked(parser, parser.currentName()); // next is PROPERTY_NAME
                    members.put(name, value(parser, parser.nextToken()));
                }
                return members;
            }
            case START_ARRAY: {
                List<Object> items = new ArrayList<>();
                for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
                    items.add(value(parser, next));
                }
                return items;
            }
            case VALUE_STRING:
                return checked(parser, parser.getString());
            case VALUE_NUMBER_INT:
                if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw new IllegalArgumentException("integer out of range" + at(parser.currentTokenLocation()));
                }
                return parser.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return parser.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new IllegalArgumentException("unexpected " + token + at(parser.currentTokenLocation()));
        }
    }

    /** {@code text}, refused if it holds a lone UTF-16 surrogate (from a {@code \\u} escape: the bytes were UTF-8). */
    private static String checked(JsonParser parser, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("lone surrogate in a \\u escape of the string"
                        + at(parser.currentTokenLocation()) + ": it stands for no UTF-8 bytes");
            }
        }
        return text;
    }

    private static String at(@Nullable TokenStreamLocation location) {
        if (location == null || location.getColumnNr() <= 0) {
            return "";
        }
        return " at column " + location.getColumnNr();
    }
}
