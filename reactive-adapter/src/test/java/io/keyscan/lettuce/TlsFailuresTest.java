package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisConnectionException;
import io.netty.handler.codec.DecoderException;
import java.net.ConnectException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class TlsFailuresTest {

    private static final String ADDRESS = "redis.example:6380";

    /** Lettuce's shape of a JDK handshake with an untrusted certificate: four causes deep. */
    private static RedisConnectionException untrusted() {
        CertPathBuilderException path = new CertPathBuilderException(
                "unable to find valid certification path to requested target");
        CertificateException validator = new CertificateException("PKIX path building failed: " + path, path);
        SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed: " + path);
        handshake.initCause(validator);
        return new RedisConnectionException("Unable to connect to " + ADDRESS, new DecoderException(handshake));
    }

    @Test
    void untrustedCertificateSaysSoWithTheJdkReasonAndTheFix() {
        RedisConnectionException original = untrusted();

        RuntimeException explained = TlsFailures.explain(original, ADDRESS);

        assertThat(explained).isInstanceOf(RedisConnectionException.class).hasCause(original);
        assertThat(explained.getMessage())
                .startsWith("TLS handshake with redis.example:6380 failed because the server's certificate is not "
                        + "trusted: PKIX path building failed")
                .contains("unable to find valid certification path to requested target")
                .contains("SslOptions", "LettuceKeyScanner.create(RedisURI, ClientOptions, KeyScanOptions)",
                        "javax.net.ssl.trustStore")
                .doesNotContain("..");
    }

    @Test
    void hostNameMismatchIsNotCalledUntrusted() {
        SSLHandshakeException handshake = new SSLHandshakeException("No subject alternative names matching IP "
                + "address 10.0.0.7 found");
        handshake.initCause(new CertificateException("No subject alternative names matching IP address 10.0.0.7 found"));
        RedisConnectionException original = new RedisConnectionException("Unable to connect to " + ADDRESS, handshake);

        assertThat(TlsFailures.explain(original, ADDRESS).getMessage())
                .contains("not issued for the host name or address used to connect")
                .contains("10.0.0.7").doesNotContain("not trusted");
    }

    @Test
    void expiredCertificateSaysSo() {
        SSLHandshakeException handshake = new SSLHandshakeException("PKIX path validation failed");
        handshake.initCause(new CertificateException("validity check failed",
                new java.security.cert.CertificateExpiredException("NotAfter: Sat Jan 01 00:00:00 UTC 2022")));
        RedisConnectionException original = new RedisConnectionException("Unable to connect to " + ADDRESS, handshake);

        assertThat(TlsFailures.explain(original, ADDRESS).getMessage())
                .contains("outside its validity period").contains("NotAfter").contains("Renew");
    }

    @Test
    void handshakeFailureWithoutCertificateCauseIsATlsFailureButNotCalledUntrusted() {
        RedisConnectionException original = new RedisConnectionException("Unable to connect to " + ADDRESS,
                new SSLHandshakeException("Received fatal alert: protocol_version"));

        RuntimeException explained = TlsFailures.explain(original, ADDRESS);

        assertThat(explained).isInstanceOf(RedisConnectionException.class).hasCause(original);
        assertThat(explained.getMessage())
                .startsWith("TLS handshake with redis.example:6380 failed: Received fatal alert: protocol_version. ")
                .doesNotContain("failed because");
    }

    @Test
    void certificateExceptionOutsideAHandshakeIsLeftAlone() {
        // e.g. a CA file that cannot be parsed while Lettuce builds its SSL context
        IllegalStateException original = new IllegalStateException("cannot load trust material",
                new CertificateException("Could not parse certificate"));

        assertThat(TlsFailures.explain(original, ADDRESS)).isSameAs(original);
    }

    @Test
    void nonTlsFailureIsLeftAlone() {
        RedisConnectionException original = new RedisConnectionException("Unable to connect to " + ADDRESS,
                new ConnectException("Connection refused"));

        assertThat(TlsFailures.explain(original, ADDRESS)).isSameAs(original);
    }
}
