package io.keyscan.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code redis-server} (or {@code valkey-server}) executable this JVM can start, found in this order:
 * <ol>
 *   <li>the system property {@code keyscan.redis.server} or else the environment variable
 *       {@code KEYSCAN_REDIS_SERVER}, if set: a path to an executable, or the name of a server of the matrix
 *       ({@link #MATRIX}: {@code redis-6.2} is the embedded binary below, the others are looked up where
 *       {@code scripts/servers NAME} caches them, {@code ~/.cache/keyscan/servers/NAME/bin/}, or under
 *       {@code KEYSCAN_SERVER_CACHE});</li>
 *   <li>{@code redis-server} on the {@code PATH} (e.g. Debian's {@code apt-get install redis-server});</li>
 *   <li>the binary shipped as a resource of the {@code com.github.codemonstur:embedded-redis} artifact
 *       (Redis 6.2 for Linux and macOS on x86-64 and ARM), extracted to a temporary directory. This is what
 *       makes the tests pass on a machine with nothing but a JDK.</li>
 * </ol>
 *
 * @param path the executable
 * @param version its version, e.g. {@code 7.0.15}
 * @param source how it was found, for logs
 * @param product {@code redis} or {@code valkey}
 */
public record RedisBinary(Path path, String version, String source, String product) {

    /** The environment variable naming a server binary (a path, or a name of the {@link #MATRIX}). */
    public static final String ENV_BINARY = "KEYSCAN_REDIS_SERVER";

    /** The system property naming a server binary; it wins over {@link #ENV_BINARY}. */
    public static final String PROPERTY_BINARY = "keyscan.redis.server";

    /** The environment variable moving the cache of {@code scripts/servers}. */
    public static final String ENV_CACHE = "KEYSCAN_SERVER_CACHE";

    /** The servers of the matrix, by the names {@code scripts/servers} builds them under. */
    public static final List<String> MATRIX = List.of("redis-6.2", "redis-7.0", "redis-8.0", "redis-8.6",
            "valkey-8.0", "valkey-8.1", "valkey-9.1");

    /** The name of the embedded binary in the {@link #MATRIX}. */
    static final String EMBEDDED_NAME = "redis-6.2";

    private static final Pattern VERSION = Pattern.compile("v=(\\d+\\.\\d+\\.\\d+)");
    private static volatile RedisBinary found;

    /** The first binary available, looked up once per JVM. */
    public static RedisBinary find() {
        RedisBinary binary = found;
        if (binary == null) {
            synchronized (RedisBinary.class) {
                binary = found;
                if (binary == null) {
                    binary = lookUp();
                    found = binary;
                }
            }
        }
        return binary;
    }

    /** The major version, e.g. 7. */
    public int majorVersion() {
        return Integer.parseInt(version.split("\\.")[0]);
    }

    /** Whether this binary is Valkey's (its {@code --version} says {@code Valkey server}). */
    public boolean isValkey() {
        return product.equals("valkey");
    }

    private static RedisBinary lookUp() {
        String property = System.getProperty(PROPERTY_BINARY);
        if (property != null && !property.isBlank()) {
            return named(property.trim(), "-D" + PROPERTY_BINARY);
        }
        String configured = System.getenv(ENV_BINARY);
        if (configured != null && !configured.isBlank()) {
            return named(configured.trim(), ENV_BINARY);
        }
        String pathVariable = System.getenv("PATH");
        if (pathVariable != null) {
            for (String dir : pathVariable.split(File.pathSeparator)) {
                Path candidate = Paths.get(dir, "redis-server");
                if (Files.isExecutable(candidate)) {
                    return of(candidate, "redis-server on the PATH");
                }
            }
        }
        return of(extractEmbedded(), "redis-server from the embedded-redis Maven artifact");
    }

    /**
     * The binary {@code value} names, set in {@code setting}: a name of the {@link #MATRIX} or a path.
     *
     * @param value a name of the {@link #MATRIX} or a path to an executable
     * @param setting where the value was set, for messages: {@code -Dkeyscan.redis.server}, {@code --server}...
     * @return the binary, with its version
     * @throws IllegalStateException naming the setting, the value and what is allowed, if it is neither an
     *     executable nor a matrix name, or a matrix server that has not been built yet
     */
    public static RedisBinary named(String value, String setting) {
        if (value.equals(EMBEDDED_NAME)) {
            return of(extractEmbedded(), EMBEDDED_NAME + " (embedded-redis Maven artifact, " + setting + ")");
        }
        if (MATRIX.contains(value)) {
            Path dir = cache().resolve(value).resolve("bin");
            for (String executable : List.of("valkey-server", "redis-server")) {
                Path candidate = dir.resolve(executable);
                if (Files.isExecutable(candidate)) {
                    return of(candidate, value + " from " + dir + " (" + setting + ")");
                }
            }
            throw new IllegalStateException(setting + "='" + value + "' names a server of the matrix that is not built"
                    + " here (nothing in " + dir + "): run scripts/servers " + value + " once to build and cache it");
        }
        Path path = Paths.get(value);
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException(setting + "='" + value + "' is neither an executable file nor a server of"
                    + " the matrix (" + String.join(", ", MATRIX) + ")");
        }
        return of(path, setting + " (" + path + ")");
    }

    /** Where {@code scripts/servers} caches the servers it builds. */
    static Path cache() {
        String configured = System.getenv(ENV_CACHE);
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured.trim());
        }
        return Paths.get(System.getProperty("user.home"), ".cache", "keyscan", "servers");
    }

    private static RedisBinary of(Path path, String source) {
        String[] productAndVersion = versionOf(path);
        return new RedisBinary(path, productAndVersion[1], source, productAndVersion[0]);
    }

    /** {@code {product, version}} as {@code --version} prints them, the product {@code redis} or {@code valkey}. */
    static String[] versionOf(Path binary) {
        try {
            Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            String output;
            try (InputStream in = process.getInputStream()) {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            Matcher m = VERSION.matcher(output);
            if (!m.find()) {
                throw new IllegalStateException(binary + " --version printed no version: " + output.trim());
            }
            return new String[] {output.startsWith("Valkey") ? "valkey" : "redis", m.group(1)};
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary + " --version", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + binary + " --version", e);
        }
    }

    private static Path extractEmbedded() {
        String resource = embeddedResourceName();
        Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "keyscan-redis-binaries");
        Path target = dir.resolve(resource);
        try (InputStream in = RedisBinary.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no redis-server found: set " + ENV_BINARY + ", install redis-server "
                        + "(e.g. apt-get install -y redis-server), or keep com.github.codemonstur:embedded-redis "
                        + "on the classpath (resource " + resource + " is missing)");
            }
            byte[] bytes = in.readAllBytes();
            if (Files.isExecutable(target) && Files.size(target) == bytes.length) {
                return target;
            }
            Files.createDirectories(dir);
            // Write beside and move into place, so concurrent JVMs never run a half-written file.
            Path partial = Files.createTempFile(dir, resource, ".part");
            Files.write(partial, bytes);
            if (!partial.toFile().setExecutable(true)) {
                throw new IOException("cannot make " + partial + " executable");
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new IllegalStateException("cannot extract " + resource + " to " + dir, e);
        }
    }

    private static String embeddedResourceName() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        boolean arm = arch.contains("aarch64") || arch.contains("arm64");
        if (os.contains("linux")) {
            return arm ? "redis-server-6.2.7-linux-arm64" : "redis-server-6.2.6-v5-linux-amd64";
        }
        if (os.contains("mac")) {
            return arm ? "redis-server-6.2.6-v5-darwin-arm64" : "redis-server-6.2.6-v5-darwin-amd64";
        }
        throw new IllegalStateException("no embedded redis-server for " + os + "/" + arch + "; set " + ENV_BINARY
                + " or put redis-server on the PATH");
    }
}
