package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON the exporter writes and the importer reads. */
class JsonTest {

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String line(JsonWriter json) {
        byte[] line = json.toLine();
        assertThat(line[line.length - 1]).isEqualTo((byte) '\n');
        return new String(line, 0, line.length - 1, StandardCharsets.UTF_8);
    }

    @Test
    void everyControlCharacterQuoteAndBackslashIsEscapedAndReadBack() {
        StringBuilder awkward = new StringBuilder("\"\\/");
        for (char c = 0; c < 0x20; c++) {
            awkward.append(c);
        }
        awkward.append("\u007f é 🎉 \u2028\u2029");
        String text = line(new JsonWriter(8).startObject().name("s").text(utf8(awkward.toString()), false)
                .endObject());
        assertThat(text).doesNotContain("\n").doesNotContain("\r").startsWith("{\"s\":\"\\\"\\\\/\\u0000");
        assertThat(JsonReader.parse(text)).isEqualTo(Map.of("s", awkward.toString()));
    }

    @Test
    void nestedValuesAndCommas() {
        JsonWriter json = new JsonWriter(4).startObject()
                .name("n").value(-1)
                .name("flag").value(true)
                .name("list").startArray().value("a").startArray().endArray().base64(new byte[] {(byte) 0xff}).endArray()
                .name("map").startObject().name(utf8("k"), false).value("v").name(new byte[] {1}, true).value("w")
                .endObject()
                .endObject();
        String text = line(json);
        assertThat(text).isEqualTo("{\"n\":-1,\"flag\":true,\"list\":[\"a\",[],\"/w==\"],\"map\":{\"k\":\"v\","
                + "\"AQ==\":\"w\"}}");
        assertThat(JsonReader.parse(text)).isEqualTo(Map.of("n", -1L, "flag", true,
                "list", List.of("a", List.of(), "/w=="), "map", Map.of("k", "v", "AQ==", "w")));
    }

    @Test
    void parserReadsStandardJson() {
        assertThat(JsonReader.parse(" { \"a\" : [ 1 , 2.5 , null , false ] , \"b\" : \"\\u00e9\\ud83c\\udf89\\t\" } "))
                .isEqualTo(Map.of("a", java.util.Arrays.asList(1L, 2.5, null, false), "b", "é🎉\t"));
    }

    @Test
    void parserRefusesWhatCannotStandForBytesOrIsNotJson() {
        assertThatThrownBy(() -> JsonReader.parse("{\"a\":1,\"a\":2}"))
                .hasMessageContaining("Duplicate Object property \"a\"");
        assertThatThrownBy(() -> JsonReader.parse("\"\\ud800\"")).hasMessageContaining("lone surrogate");
        assertThatThrownBy(() -> JsonReader.parse("\"\\udc00x\"")).hasMessageContaining("lone surrogate");
        assertThatThrownBy(() -> JsonReader.parse("{} {}")).hasMessageContaining("after the JSON value at column 4");
        assertThatThrownBy(() -> JsonReader.parse("{\"a\":")).hasMessageContaining("malformed JSON at column 6")
                .hasMessageContaining("Unexpected end-of-input");
        assertThatThrownBy(() -> JsonReader.parse("\"a\nb\"")).hasMessageContaining("Illegal unquoted character");
        assertThatThrownBy(() -> JsonReader.parse("[1,]")).hasMessageContaining("Unexpected character (']'");
        assertThatThrownBy(() -> JsonReader.parse("\"\\x\"")).hasMessageContaining("Unrecognized character escape");
        assertThatThrownBy(() -> JsonReader.parse("[".repeat(40))).hasMessageContaining("nested deeper than 32");
        assertThatThrownBy(() -> JsonReader.parse("{\"a\":123456789012345678901234567890}"))
                .hasMessageContaining("integer out of range at column 6");
        assertThatThrownBy(() -> JsonReader.parse("")).hasMessageContaining("an empty line");
        assertThatThrownBy(() -> JsonReader.parse("{\"a\":NaN}")).hasMessageContaining("malformed JSON");
    }
}
