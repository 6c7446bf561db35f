package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Export lines read back into the arguments of write-key.lua. */
class ImportLineTest {

    private static List<String> args(ImportLine line) {
        List<String> args = new ArrayList<>();
        for (byte[] arg : line.scriptArgs()) {
            args.add(new String(arg, StandardCharsets.ISO_8859_1));
        }
        return args;
    }

    @Test
    void eachTypeBecomesTheScriptsArguments() {
        assertThat(args(ImportLine.parse("{\"key\":\"k\",\"type\":\"string\",\"ttl\":5000,\"value\":\"v\"}", "fail")))
                .containsExactly("string", "first", "fail", "5000", "last", "", "v");
        assertThat(args(ImportLine.parse("{\"key\":\"k\",\"type\":\"hash\",\"ttl\":-1,\"value\":{\"f\":\"v\"}}",
                "replace"))).containsExactly("hash", "first", "replace", "-1", "last", "", "f", "v");
        assertThat(args(ImportLine.parse("{\"key\":\"k\",\"type\":\"zset\",\"ttl\":-1,\"value\":{\"m\":\"-inf\"}}",
                "fail"))).endsWith("-inf", "m");
        assertThat(args(ImportLine.parse("{\"key\":\"k\",\"type\":\"list\",\"part\":3,\"value\":[\"a\",\"b\"],"
                + "\"more\":true}", "fail"))).containsExactly("list", "next", "fail", "-1", "more", "", "a", "b");
        assertThat(args(ImportLine.parse("{\"key\":\"k\",\"type\":\"stream\",\"ttl\":-1,\"value\":{\"entries\":"
                + "[[\"1-1\",[\"f\",\"v\",\"f\",\"w\"]]],\"last_id\":\"2-0\"}}", "fail")))
                .containsExactly("stream", "first", "fail", "-1", "last", "2-0", "1-1", "4", "f", "v", "f", "w");
        assertThat(args(ImportLine.parse("{\"key\":\"k\",\"type\":\"set\",\"ttl\":7,\"dump\":\"AAE=\"}", "fail")))
                .containsExactly("dump", "first", "fail", "7", "last", "", "\u0000\u0001");
    }

    @Test
    void base64KeysAndValuesAreBytes() {
        ImportLine line = ImportLine.parse("{\"key_b64\":\"/w==\",\"type\":\"hash\",\"ttl\":-1,\"value_b64\":"
                + "{\"gA==\":\"\"}}", "fail");
        assertThat(line.key()).containsExactly(0xff);
        assertThat(line.scriptArgs()[6]).containsExactly(0x80);
        assertThat(line.scriptArgs()[7]).isEmpty();
    }

    @Test
    void mistakesAreNamed() {
        assertThatThrownBy(() -> ImportLine.parse("{\"key\":\"k\",\"type\":\"string\",\"ttl\":-1}", "fail"))
                .hasMessageContaining("exported without --values or --dump");
        assertThatThrownBy(() -> ImportLine.parse("{\"type\":\"string\",\"ttl\":-1,\"value\":\"\"}", "fail"))
                .hasMessageContaining("no \"key\" or \"key_b64\"");
        assertThatThrownBy(() -> ImportLine.parse("{\"key\":\"k\",\"type\":\"string\",\"value\":\"\"}", "fail"))
                .hasMessageContaining("needs \"ttl\"");
        assertThatThrownBy(() -> ImportLine.parse("{\"key\":\"k\",\"type\":\"string\",\"ttl\":-1,\"value\":\"\","
                + "\"colour\":1}", "fail")).hasMessageContaining("unknown field \"colour\"");
        assertThatThrownBy(() -> ImportLine.parse("{\"key\":\"k\",\"type\":\"ReJSON-RL\",\"ttl\":-1,\"value\":\"\"}",
                "fail")).hasMessageContaining("only a \"dump\" can carry it");
        assertThatThrownBy(() -> ImportLine.parse("{\"key_b64\":\"%%\",\"type\":\"string\",\"ttl\":-1,\"value\":\"\"}",
                "fail")).hasMessageContaining("key_b64 is not valid base64");
        assertThatThrownBy(() -> ImportLine.parse("[1]", "fail")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> ImportLine.parse("{\"key\":\"k\",\"type\":\"stream\",\"ttl\":-1,\"value\":"
                + "{\"entries\":[[\"1-1\",[\"f\"]]]}}", "fail")).hasMessageContaining("field, value pairs");
    }

    @Test
    void theLastPartTakesTheKeysTtl() {
        ImportLine last = ImportLine.parse("{\"key\":\"k\",\"type\":\"list\",\"part\":2,\"value\":[\"a\"]}", "fail");
        assertThat(last.part()).isEqualTo(2);
        assertThat(args(last.withTtl(9000)).get(3)).isEqualTo("9000");
    }
}
