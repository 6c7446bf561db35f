package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.TestCertificates;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS options as redis-cli names them, against real TLS-only servers with a throwaway CA: {@code --cacert},
 * {@code --tls} on a {@code redis://} URL, {@code --insecure}, a client certificate ({@code --cert}, {@code --key})
 * for a server that asks for one, and a password from the environment on top.
 */
class TlsIT {

    private static final String PASSWORD = "tls-test-" + Long.toHexString(System.nanoTime());

    static LocalRedisServer server;
    /** Asks every client for a certificate signed by its CA (tls-auth-clients yes), and a password. */
    static LocalRedisServer mutual;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = LocalRedisServer.builder().tls().name("tls-server").start();
        mutual = LocalRedisServer.builder().tls().password(PASSWORD).name("tls-mutual").start();
        for (LocalRedisServer each : new LocalRedisServer[] {server, mutual}) {
            each.admin().set("tls:1", "one");
            each.admin().hset("tls:2", Map.of("f", "v"));
        }
        // from now on a client without a certificate is refused (the admin connection, open already, stays)
        mutual.admin().configSet("tls-auth-clients", "yes");
    }

    @AfterAll
    static void stop() {
        server.close();
        mutual.close();
    }

    private static String ca(LocalRedisServer redis) {
        return redis.certificates().caCertificate().toString();
    }

    private static String plainUrl(LocalRedisServer redis) {
        return "redis://127.0.0.1:" + redis.port();
    }

    @Test
    void aRedissUrlWithTheCaTrusted() {
        Path file = dir.resolve("tls.ndjson");
        ToolRun run = ToolRun.of("export", "--redis-url", server.uri(), "--cacert", ca(server), "--values",
                "--output", file.toString(), "--progress", "none");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("Exported 2 keys");
    }

    @Test
    void tlsOnARedisUrlAndARoundTrip() throws Exception {
        assertThat(server.uri()).startsWith("rediss://");
        Path file = dir.resolve("tls-flag.ndjson");
        ToolRun export = ToolRun.of("export", "--redis-url", plainUrl(server), "--tls", "--cacert=" + ca(server),
                "--values", "--output", file.toString(), "--progress", "none");
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(ToolRun.lines(file)).hasSize(2);

        ToolRun imported = ToolRun.of("import", "--redis-url", plainUrl(server), "--tls", "--cacert", ca(server),
                "--input", file.toString(), "--replace", "--progress", "none");
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(imported.err()).contains("Imported 2 keys");
    }

    @Test
    void anUntrustedCertificateFailsWithWhatToDo() {
        ToolRun run = ToolRun.of("export", "--redis-url", server.uri(), "--output", "-", "--progress", "none");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(KeyExportTool.FAILED);
        assertThat(run.err()).contains("--cacert FILE");

        // a CA that did not sign the server's certificate is no better
        TestCertificates other = TestCertificates.generate(dir.resolve("other-ca"));
        ToolRun wrongCa = ToolRun.of("export", "--redis-url", server.uri(), "--cacert",
                other.caCertificate().toString(), "--output", "-", "--progress", "none");
        assertThat(wrongCa.exitCode()).as(wrongCa.err()).isEqualTo(KeyExportTool.FAILED);
    }

    @Test
    void insecureSkipsVerification() {
        ToolRun run = ToolRun.of("export", "--redis-url", server.uri(), "--insecure", "--output",
                dir.resolve("insecure.ndjson").toString(), "--progress", "none");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("Exported 2 keys");
    }

    @Test
    void aClientCertificateForAServerThatAsksForOne() {
        Map<String, String> env = Map.of(Password.KEYSCAN_PASSWORD, PASSWORD);
        ToolRun without = ToolRun.of(env, new ByteArrayInputStream(new byte[0]), "export", "--redis-url",
                mutual.uri(), "--cacert", ca(mutual), "--output", "-", "--progress", "none", "--timeout", "20s");
        assertThat(without.exitCode()).as(without.err()).isEqualTo(KeyExportTool.FAILED);

        // the server's own certificate serves as a client certificate: the same CA signed it, for clientAuth too
        Path file = dir.resolve("mutual.ndjson");
        ToolRun with = ToolRun.of(env, new ByteArrayInputStream(new byte[0]), "export", "--redis-url", mutual.uri(),
                "--cacert", ca(mutual), "--cert", mutual.certificates().serverCertificate().toString(), "--key",
                mutual.certificates().serverKey().toString(), "--values", "--output", file.toString(),
                "--progress", "none");
        assertThat(with.exitCode()).as(with.err()).isZero();
        assertThat(with.err()).contains("Exported 2 keys").doesNotContain(PASSWORD);
    }
}
