package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.TestCertificates;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/**
 * {@code rediss://} against a TLS-only {@code redis-server} ({@code --port 0 --tls-port}) whose certificate is
 * signed by a CA generated for this test, which the JVM's truststore does not know.
 */
class TlsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** How long a failing connect may take: Lettuce's backstop (commandTimeout + 5 s) plus slack, never more. */
    private static final Duration FAIL_WITHIN = Duration.ofSeconds(20);
    private static final KeyScanOptions QUICK = KeyScanOptions.builder().commandTimeout(Duration.ofSeconds(2)).build();
    private static final String UNTRUSTED = "failed because the server's certificate is not trusted: ";

    private static LocalRedisServer server;
    private static List<String> expected;

    @BeforeAll
    static void startTlsServer() {
        server = LocalRedisServer.builder().tls().name("tls-redis").start();
        expected = IntStream.range(0, 120).mapToObj(i -> String.format("tls:%03d", i)).toList();
        for (String key : expected) {
            server.admin().set(key, "v");
        }
        server.admin().set("other:1", "v");
    }

    @AfterAll
    static void stopTlsServer() {
        if (server != null) {
            server.close();
        }
    }

    /** What a user writes to trust a private CA: SslOptions with its PEM file. */
    private static ClientOptions trusting(Path caCertificate) {
        return ClientOptions.builder()
                .sslOptions(SslOptions.builder().trustManager(caCertificate.toFile()).build())
                .build();
    }

    private static List<String> fetch(KeyScanner scanner, String pattern) {
        AtomicReference<List<String>> keys = new AtomicReference<>();
        StepVerifier.create(scanner.fetchKeys(pattern)).consumeNextWith(keys::set).expectComplete().verify(WAIT);
        return keys.get();
    }

    @Test
    void scannerTrustingTheTestCaListsTheSameKeysWithKeysAndWithScan() {
        ClientOptions tls = trusting(server.certificates().caCertificate());
        RedisURI uri = server.redisUri();
        assertThat(uri.isSsl()).isTrue();

        List<String> viaKeys;
        List<String> viaScan;
        try (KeyScanner keysPath = LettuceKeyScanner.create(uri, tls, KeyScanOptions.builder().useScan(false).build());
                KeyScanner scanPath = LettuceKeyScanner.create(uri, tls, KeyScanOptions.builder().useScan(true)
                        .scanCountAutoTune(false).scanCount(10).build())) {
            viaKeys = fetch(keysPath, "tls:*");
            viaScan = fetch(scanPath, "tls:*");
        }

        assertThat(viaKeys).isEqualTo(expected);
        assertThat(viaScan).isEqualTo(viaKeys);
    }

    @Test
    void scannerOverTheApplicationsOwnTlsConnectionWorks() {
        RedisClient client = RedisClient.create(server.redisUri());
        client.setOptions(trusting(server.certificates().caCertificate()));
        try (StatefulRedisConnection<String, String> connection = client.connect();
                KeyScanner scanner = LettuceKeyScanner.create(connection, KeyScanOptions.builder().useScan(true).build())) {
            assertThat(fetch(scanner, "tls:00*")).isEqualTo(expected.subList(0, 10));
            assertThat(connection.isOpen()).isTrue();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void jdkDefaultTruststoreFailsAtOnceSayingTheCertificateIsNotTrustedAndHowToFixIt() {
        String address = "127.0.0.1:" + server.port();

        Throwable failure = assertTimeoutPreemptively(FAIL_WITHIN, () -> catchFailure(
                () -> LettuceKeyScanner.create("rediss://" + address, QUICK)));

        assertThat(failure).isExactlyInstanceOf(RedisConnectionException.class);
        assertThat(failure.getMessage())
                .startsWith("TLS handshake with " + address + " " + UNTRUSTED)
                .contains("PKIX path building failed") // the JDK's own reason
                .contains("SslOptions", "LettuceKeyScanner.create(RedisURI, ClientOptions, KeyScanOptions)",
                        "javax.net.ssl.trustStore");
        assertThat(failure.getCause()).isInstanceOf(RedisConnectionException.class); // Lettuce's original
        assertThat(causeChain(failure)).anyMatch(t -> t instanceof javax.net.ssl.SSLHandshakeException);
    }

    @Test
    void trustingAnotherCaFailsTheSameWayAndNoPasswordAppearsInTheMessage(@TempDir Path dir) {
        TestCertificates otherCa = TestCertificates.generate(dir);
        RedisURI uri = RedisURI.builder(server.redisUri()).withPassword("s3cret-Pa55".toCharArray()).build();

        Throwable failure = assertTimeoutPreemptively(FAIL_WITHIN, () -> catchFailure(
                () -> LettuceKeyScanner.create(uri, trusting(otherCa.caCertificate()), QUICK)));

        assertThat(failure).isExactlyInstanceOf(RedisConnectionException.class);
        assertThat(failure.getMessage()).startsWith("TLS handshake with 127.0.0.1:" + server.port() + " " + UNTRUSTED);
        assertThat(causeChain(failure)).allSatisfy(t -> assertThat(String.valueOf(t.getMessage()))
                .doesNotContain("s3cret-Pa55"));
    }

    @Test
    void plainConnectionToTheTlsPortFailsWithinItsTimeoutAndIsNotCalledACertificateProblem() {
        RedisURI plain = RedisURI.builder().withHost("127.0.0.1").withPort(server.port()).build();

        Throwable failure = assertTimeoutPreemptively(FAIL_WITHIN, () -> catchFailure(
                () -> LettuceKeyScanner.create(plain, QUICK)));

        assertThat(failure).isInstanceOf(RedisConnectionException.class);
        assertThat(failure.getMessage()).doesNotContain("TLS handshake");
        // the server is still fine for TLS clients
        assertThat(server.admin().ping()).isEqualTo("PONG");
    }

    /** Runs {@code create}, which must throw; closes the scanner if it did not, so the test fails cleanly. */
    private static Throwable catchFailure(ThrowingCreate create) {
        try {
            KeyScanner unexpected = create.get();
            unexpected.close();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("connecting succeeded but should have failed");
    }

    private static List<Throwable> causeChain(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && chain.size() < 20; t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    @FunctionalInterface
    private interface ThrowingCreate {
        KeyScanner get();
    }
}
