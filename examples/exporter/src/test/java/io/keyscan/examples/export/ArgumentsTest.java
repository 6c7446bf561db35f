package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.keyscan.KeyType;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslVerifyMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.ParameterException;

/** The command line as picocli reads it: every option, both spellings, and every mistake named. */
class ArgumentsTest {

    @TempDir
    Path dir;

    @Test
    void defaults() {
        Arguments export = Arguments.parse("export", "--redis-url", "redis://localhost:6390", "--output", "f");
        assertThat(export.command).isEqualTo(Arguments.Command.EXPORT);
        assertThat(export.pattern).isEqualTo("*");
        assertThat(export.mode).isEqualTo(KeyReader.Mode.META);
        assertThat(export.distinct).isEqualTo(Arguments.Distinct.AUTO);
        assertThat(export.batch).isEqualTo(100);
        assertThat(export.concurrency).isEqualTo(8);
        assertThat(export.timeout).hasSeconds(30);
        assertThat(export.progress).isEqualTo(Progress.Style.AUTO);
        assertThat(export.askpass).isFalse();
        assertThat(export.connection.tls()).isEqualTo(new Connection.Tls(false, null, null, null, false));
        Arguments imported = Arguments.parse("import", "--cluster-url", "redis://a:1,redis://b:2", "--input", "-");
        assertThat(imported.concurrency).isEqualTo(32);
        assertThat(imported.uris()).hasSize(2);
        assertThat(imported.inputPath()).isNull();
        assertThat(imported.maxLineBytes()).isBetween(Arguments.MIN_LINE_BYTES, Arguments.DEFAULT_MAX_LINE_BYTES);
    }

    @Test
    void options() {
        Arguments export = Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "-", "--type", "ZSET",
                "--dump", "--distinct", "off", "--batch", "1,000", "--concurrency", "1", "--timeout", "2m",
                "--pattern", "app:*", "--force", "--progress", "plain");
        assertThat(export.type).isEqualTo(KeyType.ZSET);
        assertThat(export.mode).isEqualTo(KeyReader.Mode.DUMP);
        assertThat(export.distinct).isEqualTo(Arguments.Distinct.OFF);
        assertThat(export.batch).isEqualTo(1000);
        assertThat(export.outputPath()).isNull();
        assertThat(export.timeout).hasMinutes(2);
        assertThat(export.pattern).isEqualTo("app:*");
        assertThat(export.force).isTrue();
        assertThat(export.progress).isEqualTo(Progress.Style.PLAIN);
        Arguments imported = Arguments.parse("import", "--redis-url", "redis://h:1", "--input", "in.ndjson",
                "--replace", "--max-line-size", "8MB");
        assertThat(imported.replace).isTrue();
        assertThat(imported.inputPath()).isEqualTo(Path.of("in.ndjson"));
        assertThat(imported.maxLineBytes()).isEqualTo(8 << 20);
    }

    @Test
    void bothSpellingsOfAnOptionWithAValue() {
        Arguments spaced = Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f", "--batch", "7",
                "--pattern", "-dash*");
        Arguments joined = Arguments.parse("export", "--redis-url=redis://h:1", "--output=f", "--batch=7",
                "--pattern=-dash*");
        assertThat(joined.batch).isEqualTo(spaced.batch).isEqualTo(7);
        assertThat(joined.pattern).isEqualTo(spaced.pattern).isEqualTo("-dash*");
        assertThat(joined.uris()).isEqualTo(spaced.uris());
        // the last of a repeated option wins, and "@..." is a value, not a file of arguments
        assertThat(Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f", "--batch", "7",
                "--batch", "9", "--pattern", "@home*").batch).isEqualTo(9);
        assertThat(Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f", "--pattern", "@home*")
                .pattern).isEqualTo("@home*");
    }

    @Test
    void badInputIsNamedWithWhatIsAllowed() {
        assertThatThrownBy(() -> Arguments.parse("copy")).isInstanceOf(ParameterException.class);
        assertThatThrownBy(() -> Arguments.parse("export", "--output", "f"))
                .hasMessageContaining("either --redis-url (one server) or --cluster-url");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://h:1"))
                .hasMessageContaining("Missing required option: '--output=FILE'");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f", "--type",
                "json")).hasMessageContaining("Invalid value for option '--type': unknown key type 'json': expected "
                        + "one of string, hash, list, set, zset, stream");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f", "--values",
                "--dump")).hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f", "--batch",
                "0")).hasMessage("Invalid value for option '--batch': expected a whole number from 1 to 1000, was 0");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f",
                "--concurrency=x")).hasMessage("Invalid value for option '--concurrency': expected a whole number "
                        + "from 1 to 256, was 'x'");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f", "--pattern",
                "*a*a*a*a*a*a*a*a*a*a*a*")).hasMessageContaining("Invalid value for option '--pattern': pattern has "
                        + "12 '*' wildcards");
        assertThatThrownBy(() -> Arguments.parse("import", "--redis-url", "redis://h:1", "--input", "f", "--values"))
                .hasMessageContaining("Unknown option: '--values'");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f",
                "--timeout", "soon")).hasMessage("Invalid value for option '--timeout': expected a duration such as "
                        + "500ms, 30s or 2m, was 'soon'");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f",
                "--distinct", "maybe")).hasMessage("Invalid value for option '--distinct': expected on, off or auto, "
                        + "was 'maybe'");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f",
                "--progress", "loud")).hasMessage("Invalid value for option '--progress': expected auto, bar, plain "
                        + "or none, was 'loud'");
        assertThatThrownBy(() -> Arguments.parse("import", "--redis-url", "redis://h:1", "--input", "f",
                "--max-line-size", "2GB")).hasMessage("Invalid value for option '--max-line-size': expected a size "
                        + "from 1KB to 1GB such as 8MB or 1048576, was '2GB'");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://a:1,redis://b:2", "--output", "f"))
                .hasMessageContaining("--redis-url takes one server");
        assertThatThrownBy(() -> Arguments.parse("export", "--cluster-url", " , ", "--output", "f"))
                .hasMessageContaining("--cluster-url names no node");
    }

    @Test
    void aBadUriDoesNotEchoItsPassword() {
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "htp://:s3cret@host", "--output",
                "f")).hasMessageNotContaining("s3cret").hasMessageContaining("--redis-url htp://:***@host is not a "
                        + "Redis URI");
    }

    @Test
    void tlsOptionsMapOntoLettuce() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-");
        Path cert = Files.writeString(dir.resolve("client.pem"), "-");
        Path key = Files.writeString(dir.resolve("client.key"), "-");
        Arguments tls = Arguments.parse("export", "--redis-url", "redis://h:6380", "--output", "f", "--tls",
                "--cacert", ca.toString(), "--cert", cert.toString(), "--key=" + key);
        RedisURI uri = tls.connection.resolve(null).get(0);
        assertThat(uri.isSsl()).isTrue();
        assertThat(uri.getVerifyMode()).isEqualTo(SslVerifyMode.FULL);
        assertThat(tls.connection.tls()).isEqualTo(new Connection.Tls(true, ca, cert, key, false));
        assertThat(tls.connection.sslOptions()).isNotNull();

        Arguments insecure = Arguments.parse("import", "--redis-url", "rediss://h:6380", "--input", "f",
                "--insecure");
        assertThat(insecure.connection.resolve(null).get(0).getVerifyMode()).isEqualTo(SslVerifyMode.NONE);
        assertThat(insecure.connection.sslOptions()).as("the JVM's trust store").isNull();
        assertThat(Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f").connection.resolve(null)
                .get(0).isSsl()).isFalse();
    }

    @Test
    void tlsMistakesAreUsageErrors() throws Exception {
        Path cert = Files.writeString(dir.resolve("client.pem"), "-");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f",
                "--insecure")).hasMessageContaining("are TLS options: add --tls, or give a rediss:// URL");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f", "--tls",
                "--cert", cert.toString())).hasMessageContaining("--cert and --key go together");
        assertThatThrownBy(() -> Arguments.parse("export", "--redis-url", "rediss://h:1", "--output", "f",
                "--cacert", dir.resolve("missing.pem").toString()))
                .hasMessageContaining("--cacert " + dir.resolve("missing.pem") + ": no such readable file");
    }

    @Test
    void thePasswordGoesOnlyWhereTheUrlHasNone() {
        Connection cluster = Arguments.parse("import", "--cluster-url", "redis://a:1,redis://:own@b:2", "--input",
                "f", "--user", "loader").connection;
        assertThat(cluster.urlHasPassword()).isTrue();
        assertThat(cluster.given()).isEqualTo("redis://a:1,redis://:***@b:2");
        List<RedisURI> resolved = cluster.resolve("fromenv".toCharArray());
        assertThat(password(resolved.get(0))).isEqualTo("fromenv");
        assertThat(user(resolved.get(0))).isEqualTo("loader");
        assertThat(password(resolved.get(1))).isEqualTo("own");
        assertThat(user(resolved.get(1))).isEqualTo("loader");
        Connection none = Arguments.parse("export", "--redis-url", "redis://h:1", "--output", "f").connection;
        assertThat(none.urlHasPassword()).isFalse();
        assertThat(password(none.resolve(null).get(0))).isNull();
    }

    @Test
    void masksThePasswordOfEveryUri() {
        assertThat(Connection.mask("redis://user:s3cret@host:6379/0")).isEqualTo("redis://user:***@host:6379/0");
        assertThat(Connection.mask("rediss://:s3cret@host")).isEqualTo("rediss://:***@host");
        assertThat(Connection.mask("redis://s3cret@host")).isEqualTo("redis://***@host");
        assertThat(Connection.mask("redis://u:p@ss@host,redis://:x@h2:2 and redis://h3"))
                .isEqualTo("redis://u:***@host,redis://:***@h2:2 and redis://h3");
        assertThat(Connection.mask("no uri here: user@example.com")).isEqualTo("no uri here: user@example.com");
    }

    private static String password(RedisURI uri) {
        var credentials = Connection.credentials(uri);
        return credentials != null && credentials.hasPassword() ? new String(credentials.getPassword()) : null;
    }

    private static String user(RedisURI uri) {
        return Connection.credentials(uri).getUsername();
    }
}
