package io.keyscan.examples.export;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.StaticCredentialsProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where the tool connects and how: one server's URI or a cluster's seeds, the user, TLS (redis-cli's {@code --tls},
 * {@code --cacert}, {@code --cert}, {@code --key}, {@code --insecure}) and the per-command timeout. The password is
 * not held here: {@link #resolve} adds it to the URIs that carry none, just before connecting. Messages show URIs
 * only through {@link #mask}.
 *
 * @param given the URIs as given on the command line, masked ({@link #mask})
 */
record Connection(List<RedisURI> uris, boolean cluster, Duration timeout, @Nullable String user, Tls tls,
        String given) {

    /**
     * TLS as asked on the command line.
     *
     * @param on {@code --tls}: TLS even for a {@code redis://} URI
     * @param caCertificate {@code --cacert}: the CA certificates to trust (PEM)
     * @param certificate {@code --cert}: the client certificate chain (PEM)
     * @param key {@code --key}: the client certificate's key (PEM, unencrypted PKCS#8)
     * @param insecure {@code --insecure}: no verification of the server's certificate
     */
    record Tls(boolean on, @Nullable Path caCertificate, @Nullable Path certificate, @Nullable Path key,
            boolean insecure) {

        boolean anyFileOrInsecure() {
            return caCertificate != null || certificate != null || key != null || insecure;
        }
    }

    /** {@code scheme://} and the user information up to the last {@code @} before the host (no space, no new URI). */
    private static final Pattern USER_INFO = Pattern.compile(
            "(?i)(\\b[a-z][a-z0-9+.-]*://)((?:(?![a-z][a-z0-9+.-]*://)[^\\s])*)@");

    /**
     * Parses and checks what the command line gave.
     *
     * @param urls one URI, or for a cluster one or more, comma-separated
     * @throws IllegalArgumentException naming the mistake (never repeating a URI, which may hold a password)
     */
    static Connection of(String urls, boolean cluster, Duration timeout, @Nullable String user, Tls tls) {
        String option = cluster ? "--cluster-url" : "--redis-url";
        List<RedisURI> uris = new ArrayList<>();
        for (String part : urls.split(",")) {
            String trimmed = part.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                uris.add(RedisURI.create(trimmed));
            } catch (RuntimeException e) {
                // Lettuce's message would repeat the URI, which may hold a password
                throw new IllegalArgumentException(option + " " + mask(trimmed) + " is not a Redis URI (expected "
                        + "redis://host:port, rediss://host:port for TLS, or redis-sentinel://host:port#master)", e);
            }
        }
        if (uris.isEmpty()) {
            throw new IllegalArgumentException(option + " names no " + (cluster ? "node" : "server"));
        }
        if (!cluster && uris.size() > 1) {
            throw new IllegalArgumentException("--redis-url takes one server; for a cluster use --cluster-url");
        }
        boolean urlTls = uris.stream().anyMatch(RedisURI::isSsl);
        if (tls.anyFileOrInsecure() && !tls.on() && !urlTls) {
            throw new IllegalArgumentException("--cacert, --cert, --key and --insecure are TLS options: add --tls, or "
                    + "give a rediss:// URL");
        }
        if ((tls.certificate() == null) != (tls.key() == null)) {
            throw new IllegalArgumentException("--cert and --key go together: the client certificate and its key");
        }
        if (tls.caCertificate() != null) {
            Arguments.readable("--cacert", tls.caCertificate());
        }
        if (tls.certificate() != null) {
            Arguments.readable("--cert", tls.certificate());
            Arguments.readable("--key", tls.key());
        }
        if (user != null && user.isEmpty()) {
            throw new IllegalArgumentException("--user must not be empty");
        }
        return new Connection(List.copyOf(uris), cluster, timeout, user, tls, mask(urls));
    }

    /** Whether a URI carries a password (Lettuce reads {@code redis://secret@host} as one, as Redis URIs do). */
    boolean urlHasPassword() {
        return uris.stream().anyMatch(Connection::hasPassword);
    }

    /** Whether every URI carries a password, so none needs one from elsewhere. */
    boolean everyUrlHasPassword() {
        return uris.stream().allMatch(Connection::hasPassword);
    }

    private static boolean hasPassword(RedisURI uri) {
        RedisCredentials credentials = credentials(uri);
        return credentials != null && credentials.hasPassword();
    }

    /**
     * The URIs to connect with: TLS and the timeout as asked, and {@code password} (with {@code --user}) on every
     * URI that carries no password of its own.
     */
    List<RedisURI> resolve(char @Nullable [] password) {
        List<RedisURI> resolved = new ArrayList<>();
        for (RedisURI uri : uris) {
            RedisURI copy = RedisURI.builder(uri).build();
            copy.setTimeout(timeout);
            if (tls.on()) {
                copy.setSsl(true);
            }
            if (tls.insecure()) {
                copy.setVerifyPeer(SslVerifyMode.NONE);
            }
            RedisCredentials own = credentials(uri);
            if (own != null && own.hasPassword()) {
                if (user != null && !own.hasUsername()) {
                    copy.setCredentialsProvider(new StaticCredentialsProvider(user, own.getPassword()));
                }
            } else if (password != null) {
                copy.setCredentialsProvider(new StaticCredentialsProvider(user, password));
            }
            resolved.add(copy);
        }
        return resolved;
    }

    /** Lettuce's TLS settings for {@code --cacert}, {@code --cert} and {@code --key}; null: the JVM's defaults. */
    @Nullable SslOptions sslOptions() {
        if (tls.caCertificate() == null && tls.certificate() == null) {
            return null;
        }
        SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider();
        if (tls.caCertificate() != null) {
            ssl.trustManager(tls.caCertificate().toFile());
        }
        if (tls.certificate() != null && tls.key() != null) {
            ssl.keyManager(tls.certificate().toFile(), tls.key().toFile(), null);
        }
        return ssl.build();
    }

    /**
     * {@code text} with the password of every URI in it masked: {@code redis://user:secret@host} becomes
     * {@code redis://user:***@host}, and {@code redis://secret@host} (a password alone) {@code redis://***@host}.
     */
    static String mask(String text) {
        Matcher m = USER_INFO.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String info = m.group(2);
            int colon = info.indexOf(':');
            String masked = colon >= 0 ? info.substring(0, colon) + ":***" : "***";
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + masked + "@"));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The credentials a URI carries: Lettuce answers those of a parsed URI at once. */
    static @Nullable RedisCredentials credentials(RedisURI uri) {
        RedisCredentialsProvider provider = uri.getCredentialsProvider();
        return provider == null ? null : provider.resolveCredentials().block(Duration.ofSeconds(10));
    }
}
