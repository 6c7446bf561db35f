package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyscan.KeyType;
import org.junit.jupiter.api.Test;

class ArgumentsTest {

    @Test
    void defaults() {
        Arguments export = Arguments.parse("export", "--redis-url", "redis://localhost:6390", "--output", "f");
        assertThat(export.command).isEqualTo(Arguments.Command.EXPORT);
        assertThat(export.pattern).isEqualTo("*");
        assertThat(export.mode).isEqualTo(KeyReader.Mode.META);
        assertThat(export.distinct).isEqualTo(Arguments.Distinct.AUTO);
        assertThat(export.batch).isEqualTo(100);
        assertThat(export.concurrency).isEqualTo(8);
        Arguments imported = Arguments.parse("import", "--cluster-url", "redis://a:1,redis://b:2", "--input", "-");
        assertThat(imported.concurrency).isEqualTo(32);
        assertThat(imported.uris()).hasSize(2);
        assertThat(imported.inputPath()).isNull();
    }

    @Test
    void options() {
        Arguments export = Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "-", "--type", "ZSET",
                "--dump", "--distinct", "off", "--batch", "1000", "--concurrency", "1", "--timeout", "2m");
        assertThat(export.type).isEqualTo(KeyType.ZSET);
        assertThat(export.mode).isEqualTo(KeyReader.Mode.DUMP);
        assertThat(export.distinct).isEqualTo(Arguments.Distinct.OFF);
        assertThat(export.outputPath()).isNull();
        assertThat(export.timeout).hasMinutes(2);
    }

    @Test
    void badInputIsNamed() {
        assertThatThrownBy(() -> Arguments.parse("copy")).hasMessageContaining("must be export or import, was 'copy'");
        assertThatThrownBy(() -> Arguments.parse("export", "--output", "f"))
                .hasMessageContaining("either --redis-url (one server) or --cluster-url");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://h:1"))
                .hasMessageContaining("needs --output");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f", "--type",
                "json")).hasMessageContaining("unknown key type 'json'");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f", "--values",
                "--dump")).hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f", "--batch",
                "0")).hasMessageContaining("--batch must be between 1 and 1000, was 0");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f", "--pattern",
                "*a*a*a*a*a*a*a*a*a*a*a*")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Arguments.parse("import", "--redis-url", "redis://h:1", "--input", "f", "--values"))
                .hasMessageContaining("unknown import argument '--values'");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f",
                "--timeout", "soon")).hasMessageContaining("--timeout must be a duration");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://a:1,redis://b:2", "--output", "f"))
                .hasMessageContaining("--redis-url takes one server");
    }

    @Test
    void aBadUriDoesNotEchoItsPassword() {
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "htp://:s3cret@host", "--output",
                "f")).hasMessageNotContaining("s3cret").hasMessageContaining("--redis-url is not a Redis URI");
    }
}
