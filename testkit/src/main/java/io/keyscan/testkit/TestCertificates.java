package io.keyscan.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority and a server certificate it signed, for {@code localhost} and
 * {@code 127.0.0.1}, written as PEM files that {@code redis-server --tls-*} and Lettuce read. Generated in Java
 * (BouncyCastle builds the certificates, the JDK's own providers make the keys and signatures) so that TLS tests
 * need no {@code openssl} and never reuse a key: each call makes a new CA that nothing else trusts.
 *
 * <p>The certificates are valid from an hour ago (clock skew) for {@link #VALIDITY}; the keys are EC P-256,
 * which every TLS library accepts and which is generated in milliseconds.
 *
 * <p>Registered as keyscan-testkit-servers' {@link ServerCertificates.Generator} ({@link Generator}), so that
 * {@code LocalRedisServer.builder().tls()} and {@code LocalRedisCluster.builder().tls()} generate with it when this
 * module is on the class path; the servers module itself has no BouncyCastle.
 */
public final class TestCertificates implements ServerCertificates {

    /** How long the generated certificates are valid. */
    public static final Duration VALIDITY = Duration.ofDays(2);

    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path caCertificate;
    private final Path serverCertificate;
    private final Path serverKey;

    private TestCertificates(Path caCertificate, Path serverCertificate, Path serverKey) {
        this.caCertificate = caCertificate;
        this.serverCertificate = serverCertificate;
        this.serverKey = serverKey;
    }

    /**
     * Generates a new CA and a server certificate signed by it, and writes {@code ca.crt}, {@code server.crt}
     * and {@code server.key} (unencrypted PKCS#8) into {@code dir}, which is created if missing.
     *
     * @param dir where the PEM files go; existing files of the same names are replaced
     * @throws IllegalStateException if the JDK cannot make EC keys or ECDSA signatures
     */
    public static TestCertificates generate(Path dir) {
        try {
            Files.createDirectories(dir);
            Instant now = Instant.now();
            Date notBefore = Date.from(now.minus(Duration.ofHours(1)));
            Date notAfter = Date.from(now.plus(VALIDITY));
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();

            KeyPair caKeys = newKeyPair();
            X500Name caName = new X500Name("CN=keyscan test CA " + Long.toHexString(RANDOM.nextLong()));
            X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), notBefore, notAfter,
                    caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(caKeys.getPublic()));
            X509Certificate caCert = sign(ca, caKeys.getPrivate());

            KeyPair serverKeys = newKeyPair();
            X509v3CertificateBuilder server = new JcaX509v3CertificateBuilder(caCert, serial(), notBefore, notAfter,
                    new X500Name("CN=localhost"), serverKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    // clientAuth too: redis-server presents the same certificate when it connects to a master
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.dNSName, "localhost"),
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1")}))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(serverKeys.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(caCert));
            X509Certificate serverCert = sign(server, caKeys.getPrivate());

            Path caFile = write(dir.resolve("ca.crt"), "CERTIFICATE", caCert.getEncoded());
            Path certFile = write(dir.resolve("server.crt"), "CERTIFICATE", serverCert.getEncoded());
            // PrivateKey.getEncoded() of a JDK key is PKCS#8 already: "BEGIN PRIVATE KEY" is what OpenSSL reads.
            Path keyFile = write(dir.resolve("server.key"), "PRIVATE KEY", serverKeys.getPrivate().getEncoded());
            return new TestCertificates(caFile, certFile, keyFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write test certificates to " + dir, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate test certificates (EC P-256, " + SIGNATURE + ")", e);
        }
    }

    @Override
    public Path caCertificate() {
        return caCertificate;
    }

    @Override
    public Path serverCertificate() {
        return serverCertificate;
    }

    @Override
    public Path serverKey() {
        return serverKey;
    }

    @Override
    public String toString() {
        return "test certificates (CA " + caCertificate + ")";
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE).build(issuerKey);
        X509CertificateHolder holder = builder.build(signer);
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static Path write(Path file, String type, byte[] der) throws IOException {
        String pem = "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
        return Files.writeString(file, pem, StandardCharsets.US_ASCII);
    }

    /** {@link TestCertificates#generate(Path)} as a {@link java.util.ServiceLoader} service of keyscan-testkit-servers. */
    public static final class Generator implements ServerCertificates.Generator {

        /** For {@link java.util.ServiceLoader}. */
        public Generator() {
        }

        @Override
        public ServerCertificates generate(Path dir) {
            return TestCertificates.generate(dir);
        }
    }
}
