package io.keyscan.examples.export;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses one JSON document (one NDJSON line) into {@link Map} (members in order), {@link List}, {@link String},
 * {@link Long} (integers), {@link Double} (other numbers), {@link Boolean} and {@code null}. Strict: a duplicate
 * member name, a lone UTF-16 surrogate in a {@code \\u} escape (it has no UTF-8 form, so could not stand for
 * bytes) and anything after the document are errors, reported with the column.
 */
final class JsonParser {

    private static final int MAX_DEPTH = 32;

    private final String text;
    private int position;
    private int depth;

    private JsonParser(String text) {
        this.text = text;
    }

    /**
     * @throws IllegalArgumentException saying what is wrong and at which column (1-based)
     */
    static Object parse(String text) {
        JsonParser parser = new JsonParser(text);
        parser.skipWhitespace();
        Object value = parser.value();
        parser.skipWhitespace();
        if (parser.position != text.length()) {
            throw parser.error("unexpected text after the JSON value");
        }
        return value;
    }

    private Object value() {
        if (position >= text.length()) {
            throw error("unexpected end of line");
        }
        char c = text.charAt(position);
        switch (c) {
            case '{':
                return object();
            case '[':
                return array();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                literal("null", null);
                return null;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character '" + c + "'");
        }
    }

    private Map<String, Object> object() {
        enter();
        position++; // {
        Map<String, Object> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            position++;
            depth--;
            return members;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a member name");
            }
            int at = position;
            String name = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object value = value();
            if (members.containsKey(name)) {
                position = at;
                throw error("duplicate member name \"" + name + "\"");
            }
            members.put(name, value);
            skipWhitespace();
            char c = peek();
            position++;
            if (c == '}') {
                depth--;
                return members;
            }
            if (c != ',') {
                position--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array() {
        enter();
        position++; // [
        List<Object> items = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            position++;
            depth--;
            return items;
        }
        while (true) {
            skipWhitespace();
            items.add(value());
            skipWhitespace();
            char c = peek();
            position++;
            if (c == ']') {
                depth--;
                return items;
            }
            if (c != ',') {
                position--;
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() {
        position++; // "
        StringBuilder out = null;
        int start = position;
        while (true) {
            if (position >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(position);
            if (c == '"') {
                String plain = text.substring(start, position);
                position++;
                return out == null ? plain : out.append(plain).toString();
            }
            if (c < 0x20) {
                throw error("unescaped control character in a string");
            }
            if (Character.isSurrogate(c)) {
                // A pair is fine (a supplementary character); the line's decoding already refused broken UTF-8.
                if (Character.isHighSurrogate(c) && position + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(position + 1))) {
                    position += 2;
                    continue;
                }
                throw error("lone surrogate in a string");
            }
            if (c != '\\') {
                position++;
                continue;
            }
            if (out == null) {
                out = new StringBuilder();
            }
            out.append(text, start, position);
            position++;
            if (position >= text.length()) {
                throw error("unterminated escape");
            }
            char e = text.charAt(position++);
            switch (e) {
                case '"':
                case '\\':
                case '/':
                    out.append(e);
                    break;
                case 'b':
                    out.append('\b');
                    break;
                case 'f':
                    out.append('\f');
                    break;
                case 'n':
                    out.append('\n');
                    break;
                case 'r':
                    out.append('\r');
                    break;
                case 't':
                    out.append('\t');
                    break;
                case 'u':
                    char u = unicodeEscape();
                    if (Character.isHighSurrogate(u) && text.startsWith("\\u", position)) {
                        position += 2;
                        char low = unicodeEscape();
                        if (!Character.isLowSurrogate(low)) {
                            throw error("lone surrogate in a \\u escape");
                        }
                        out.append(u).append(low);
                    } else if (Character.isSurrogate(u)) {
                        throw error("lone surrogate in a \\u escape");
                    } else {
                        out.append(u);
                    }
                    break;
                default:
                    position--;
                    throw error("unknown escape '\\" + e + "'");
            }
            start = position;
        }
    }

    private char unicodeEscape() {
        if (position + 4 > text.length()) {
            throw error("truncated \\u escape");
        }
        int code = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(position + i), 16);
            if (digit < 0) {
                throw error("bad hex digit in a \\u escape");
            }
            code = code * 16 + digit;
        }
        position += 4;
        return (char) code;
    }

    private Object number() {
        int start = position;
        if (peek() == '-') {
            position++;
        }
        boolean integer = true;
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c >= '0' && c <= '9') {
                position++;
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                integer = false;
                position++;
            } else {
                break;
            }
        }
        String literal = text.substring(start, position);
        try {
            return integer ? (Object) Long.parseLong(literal) : (Object) Double.parseDouble(literal);
        } catch (NumberFormatException e) {
            position = start;
            throw error("bad number '" + literal + "'");
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, position)) {
            throw error("unexpected character '" + text.charAt(position) + "'");
        }
        position += word.length();
        return value;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    private char peek() {
        if (position >= text.length()) {
            throw error("unexpected end of line");
        }
        return text.charAt(position);
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        position++;
    }

    private void skipWhitespace() {
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                return;
            }
            position++;
        }
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException(message + " at column " + (position + 1));
    }
}
