package io.keyscan.lettuce;

import io.lettuce.core.RedisConnectionException;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import javax.net.ssl.SSLHandshakeException;
import org.jspecify.annotations.Nullable;

/**
 * Turns a failed TLS handshake into a message that says what happened and what to do. Lettuce reports it as
 * {@code Unable to connect to host:port}, with the reason ("PKIX path building failed ...") three causes deep,
 * which reads like a network problem; the usual cause is a server certificate signed by a CA the JVM does not
 * trust (a private CA, or a self-signed certificate).
 */
final class TlsFailures {

    private TlsFailures() {
    }

    /**
     * A {@link RedisConnectionException} explaining the TLS handshake failure in {@code failure}'s cause chain,
     * with {@code failure} as its cause; {@code failure} itself when the chain holds no TLS handshake failure.
     *
     * @param failure what connecting threw
     * @param address {@code host:port}; never a URI, which may carry a password
     */
    static RuntimeException explain(RuntimeException failure, String address) {
        @Nullable SSLHandshakeException handshake = null;
        @Nullable CertificateException certificate = null;
        @Nullable GeneralSecurityException certPath = null;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (handshake == null && t instanceof SSLHandshakeException) {
                handshake = (SSLHandshakeException) t;
            } else if (certificate == null && t instanceof CertificateException) {
                certificate = (CertificateException) t;
            } else if (certPath == null
                    && (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException)) {
                certPath = (GeneralSecurityException) t;
            }
        }
        if (handshake != null) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
                    return new RedisConnectionException("TLS handshake with " + address + " failed because the server's "
                            + "certificate is outside its validity period: " + reason(t) + ". Renew the server's "
                            + "certificate (or check this machine's clock)", failure);
                }
                String message = String.valueOf(t.getMessage());
                if (t instanceof CertificateException
                        && (message.startsWith("No subject alternative") || message.startsWith("No name matching"))) {
                    return new RedisConnectionException("TLS handshake with " + address + " failed because the server's "
                            + "certificate is not issued for the host name or address used to connect: " + reason(t)
                            + ". Connect with a name the certificate lists, or reissue it with this one", failure);
                }
            }
        }
        // A CertificateException alone may be a CA file that failed to load, not the server's certificate:
        // only with a handshake failure, or from certificate path validation, is it the peer's certificate.
        boolean untrusted = handshake != null ? certificate != null || certPath != null : certPath != null;
        if (untrusted) {
            Throwable reasonSource = handshake != null ? handshake : certPath;
            return new RedisConnectionException("TLS handshake with " + address + " failed because the server's "
                    + "certificate is not trusted: " + reason(reasonSource) + ". " + HOW_TO_TRUST, failure);
        }
        if (handshake != null) {
            return new RedisConnectionException("TLS handshake with " + address + " failed: " + reason(handshake)
                    + ". If the server's certificate is not trusted: " + HOW_TO_TRUST, failure);
        }
        return failure;
    }

    /** The JDK's reason, without a trailing full stop (the message goes on after it). */
    private static String reason(Throwable t) {
        String message = t.getMessage();
        message = message == null || message.isBlank() ? t.getClass().getName() : message.trim();
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }

    private static final String HOW_TO_TRUST = "Trust the CA that signed it: pass ClientOptions with "
            + "SslOptions.builder().trustManager(caCertificatePemFile) to LettuceKeyScanner.create(RedisURI, "
            + "ClientOptions, KeyScanOptions), or add the CA to the JVM truststore (-Djavax.net.ssl.trustStore).";
}
