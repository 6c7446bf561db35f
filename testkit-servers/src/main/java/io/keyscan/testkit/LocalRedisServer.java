package io.keyscan.testkit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslVerifyMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code redis-server} process started by this JVM on a free loopback port, with its own directory, that a
 * test may stop, restart with the same data, pause ({@code SIGSTOP}) and kill. Processes still running when
 * the JVM exits are killed.
 *
 * <p>With {@link Builder#tls()} the server speaks TLS only: the plain port is off ({@code --port 0}), {@link #port()}
 * is the TLS port, {@link #redisUri()} is {@code rediss://} with full peer verification, and the admin connection
 * trusts the server's throwaway CA ({@link #certificates()}).
 *
 * <p>A server started with {@code arg("--cluster-enabled", "yes")} also listens on its cluster bus port, which
 * Redis fixes at {@code port + 10000}; the port is then chosen so that both are free (and the bus port is below
 * 65536). {@link LocalRedisCluster} starts its nodes this way.
 */
public final class LocalRedisServer extends RedisServer {

    private static final Logger log = LoggerFactory.getLogger(LocalRedisServer.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "keyscan-redis-reaper"));
    }

    private final RedisBinary binary;
    private final List<String> extraArgs;
    private final Path dir;
    private final int port;
    private final String name;
    private final ServerCertificates certificates; // null: plain TCP
    private final String password; // null: none
    private final String sentinelConfig; // null: a data node
    private volatile Process process;

    private LocalRedisServer(Builder builder, int port, Path dir, ServerCertificates certificates) {
        this.binary = builder.binary;
        this.extraArgs = List.copyOf(builder.args);
        this.port = port;
        this.dir = dir;
        this.name = builder.name;
        this.certificates = certificates;
        this.password = builder.password;
        this.sentinelConfig = builder.sentinelConfig;
    }

    /** A builder for a server from {@link RedisBinary#find()} with no extra configuration. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a plain server. */
    public static LocalRedisServer start() {
        return builder().start();
    }

    @Override
    public String source() {
        return binary.source() + " (" + binary.path() + ", " + binary.version() + ") on "
                + (certificates != null ? "TLS-only port " : "port ") + port;
    }

    /**
     * {@code redis://127.0.0.1:port}, with the password of a server built with {@link Builder#password}, or for a
     * TLS server {@code rediss://127.0.0.1:port} verifying the peer.
     */
    @Override
    public RedisURI redisUri() {
        RedisURI.Builder uri = RedisURI.builder().withHost("127.0.0.1").withPort(port);
        if (certificates != null) {
            uri.withSsl(true).withVerifyPeer(SslVerifyMode.FULL);
        }
        if (password != null) {
            uri.withPassword(password.toCharArray());
        }
        return uri.build();
    }

    /** For a TLS server, options trusting its CA: the JDK's truststore does not, by design. */
    @Override
    protected ClientOptions adminClientOptions() {
        return certificates != null ? certificates.clientOptions() : super.adminClientOptions();
    }

    /** The TCP port the server listens on: the TLS port for a TLS server (it has no plain port then). */
    public int port() {
        return port;
    }

    /** Whether the server speaks TLS only ({@link Builder#tls()}). */
    public boolean isTls() {
        return certificates != null;
    }

    /**
     * The CA and server certificate of a TLS server; trust {@link ServerCertificates#caCertificate()} to connect.
     *
     * @throws IllegalStateException if the server was not built with {@link Builder#tls()}
     */
    public ServerCertificates certificates() {
        if (certificates == null) {
            throw new IllegalStateException(name + " was started without TLS; use LocalRedisServer.builder().tls()");
        }
        return certificates;
    }

    /** The server's working directory (RDB files, its log). */
    public Path dir() {
        return dir;
    }

    /** The binary this server runs. */
    public RedisBinary binary() {
        return binary;
    }

    /** The operating system's process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the process is alive (a paused process is alive). */
    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** {@code SAVE}: writes the dataset to {@code dump.rdb} so that a restart loads it. */
    public void save() {
        admin().save();
    }

    /** Stops the process: {@code SIGTERM}, then {@code SIGKILL} if it does not exit within 10 s. */
    public void stop() {
        closeAdmin();
        Process p = process;
        if (p == null) {
            return;
        }
        if (p.isAlive()) {
            signal("CONT"); // a paused process cannot act on SIGTERM
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        RUNNING.remove(p);
    }

    /** {@code kill -9}: the process dies at once, without saving. */
    public void kill() {
        closeAdmin();
        Process p = process;
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RUNNING.remove(p);
    }

    /** {@code kill -STOP}: the process freezes; connections stay open and nothing is answered. */
    public void pause() {
        signal("STOP");
    }

    /** {@code kill -CONT}: a paused process goes on. */
    public void resume() {
        signal("CONT");
    }

    /**
     * Starts the process again on the same port and directory, so it loads whatever {@link #save()} wrote.
     * Waits until the server accepts connections and, if {@code awaitLoaded}, until it finished loading.
     */
    public void restart(boolean awaitLoaded) {
        stop();
        launch(awaitLoaded, List.of());
    }

    /** Starts the process again (see {@link #restart(boolean)}) after a {@link #kill()} or {@link #stop()}. */
    public void startAgain(boolean awaitLoaded) {
        startAgain(awaitLoaded, new String[0]);
    }

    /**
     * Starts the process again (see {@link #restart(boolean)}) with {@code args} after the server's own arguments
     * for this run only, e.g. {@code "--replicaof", "127.0.0.1", "6380"} to bring a killed master back as a replica
     * (a later occurrence of a directive wins).
     */
    public void startAgain(boolean awaitLoaded, String... args) {
        if (isRunning()) {
            throw new IllegalStateException(name + " is still running");
        }
        launch(awaitLoaded, List.of(args));
    }

    /** The last lines of the server's log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("redis.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void signal(String signal) {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private List<String> command(List<String> onceArgs) {
        List<String> command = new ArrayList<>();
        Collections.addAll(command, binary.path().toString());
        if (sentinelConfig != null) {
            // Sentinel mode: the (writable) configuration file first, which Sentinel rewrites with what it learns.
            Collections.addAll(command, dir.resolve(SENTINEL_CONFIG).toString(), "--sentinel",
                    "--port", Integer.toString(port),
                    "--bind", "127.0.0.1",
                    "--protected-mode", "no",
                    "--daemonize", "no",
                    "--dir", dir.toString(),
                    "--logfile", "redis.log");
            if (password != null) {
                Collections.addAll(command, "--requirepass", password);
            }
            command.addAll(extraArgs);
            command.addAll(onceArgs);
            return command;
        }
        if (certificates == null) {
            Collections.addAll(command, "--port", Integer.toString(port));
        } else {
            Collections.addAll(command, "--port", "0",
                    "--tls-port", Integer.toString(port),
                    "--tls-cert-file", certificates.serverCertificate().toString(),
                    "--tls-key-file", certificates.serverKey().toString(),
                    "--tls-ca-cert-file", certificates.caCertificate().toString(),
                    "--tls-auth-clients", "no");
        }
        Collections.addAll(command,
                "--bind", "127.0.0.1",
                "--protected-mode", "no",
                "--daemonize", "no",
                "--save", "",
                "--appendonly", "no",
                "--dir", dir.toString(),
                "--logfile", "redis.log");
        if (password != null) {
            // replicas of this server authenticate with the same password
            Collections.addAll(command, "--requirepass", password, "--masterauth", password);
        }
        if (binary.majorVersion() >= 7) {
            Collections.addAll(command, "--enable-debug-command", "local");
        }
        command.addAll(extraArgs);
        command.addAll(onceArgs);
        return command;
    }

    private void launch(boolean awaitLoaded, List<String> onceArgs) {
        try {
            Path config = dir.resolve(SENTINEL_CONFIG);
            if (sentinelConfig != null && !Files.exists(config)) {
                Files.writeString(config, sentinelConfig, StandardCharsets.UTF_8);
            }
            Process p = new ProcessBuilder(command(onceArgs))
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .start();
            RUNNING.add(p);
            process = p;
            awaitListening(p);
            if (awaitLoaded && sentinelConfig == null) { // a Sentinel loads no data (nor logs that it is ready)
                awaitLoaded(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary.path(), e);
        }
    }

    private void awaitListening(Process p) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited with " + p.exitValue() + ":\n" + logTail());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                pollPause();
            }
        }
        throw new IllegalStateException(name + " did not listen on port " + port + " within " + START_TIMEOUT + ":\n"
                + logTail());
    }

    private void awaitLoaded(Process p) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited with " + p.exitValue() + ":\n" + logTail());
            }
            try {
                if (Files.readString(dir.resolve("redis.log"), StandardCharsets.UTF_8)
                        .lastIndexOf("Ready to accept connections") > lastStartOffset()) {
                    return;
                }
            } catch (IOException notYet) {
                // the log appears a moment after the process
            }
            pollPause();
        }
        throw new IllegalStateException(name + " did not finish loading within " + START_TIMEOUT + ":\n" + logTail());
    }

    /** Where the current run's lines begin in the log: after the last start banner. */
    private int lastStartOffset() throws IOException {
        return Files.readString(dir.resolve("redis.log"), StandardCharsets.UTF_8).lastIndexOf("oO0OoO0OoO0Oo");
    }

    private static void pollPause() {
        try {
            // Waiting for an external process to come up: there is nothing to synchronise on but its port.
            TimeUnit.MILLISECONDS.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for redis-server", e);
        }
    }

    /** The configuration file of a Sentinel, in its directory. */
    static final String SENTINEL_CONFIG = "sentinel.conf";

    /** Where Redis puts a node's cluster bus port when {@code cluster-port} is not set (6.2 has no such option). */
    static final int CLUSTER_BUS_PORT_OFFSET = 10000;

    /**
     * A free port; for a cluster node one whose bus port ({@code port + 10000}) is free as well. The kernel's
     * ephemeral range reaches 60999, so about one port in five has no valid bus port and is skipped.
     */
    static int freePort(boolean withBusPort) {
        if (!withBusPort) {
            return freePort();
        }
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = freePort();
            int bus = port + CLUSTER_BUS_PORT_OFFSET;
            if (bus <= 65535 && isFree(bus)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port p with a free cluster bus port p + "
                + CLUSTER_BUS_PORT_OFFSET + " after 100 attempts");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** Configures a {@link LocalRedisServer}. */
    public static final class Builder {

        private RedisBinary binary;
        private final List<String> args = new ArrayList<>();
        private String name = "redis-server";
        private boolean tls;
        private ServerCertificates certificates;
        private String password;
        private String sentinelConfig;

        private Builder() {
        }

        /**
         * A password: {@code --requirepass} (and {@code --masterauth}, so a replica of a server with the same password
         * can sync); {@link #redisUri()} and so the admin connection carry it.
         */
        public Builder password(String password) {
            if (Objects.requireNonNull(password, "password").isEmpty()) {
                throw new IllegalArgumentException("password must not be empty");
            }
            this.password = password;
            return this;
        }

        /**
         * Runs the process as a Sentinel ({@code redis-server sentinel.conf --sentinel}) with these lines of
         * configuration (e.g. {@code sentinel monitor ...}), written to {@code sentinel.conf} in its directory at the
         * first start. {@link LocalRedisSentinel} starts its Sentinels this way.
         */
        Builder sentinel(String config) {
            this.sentinelConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The executable; {@link RedisBinary#find()} by default. */
        public Builder binary(RedisBinary binary) {
            this.binary = binary;
            return this;
        }

        /** Extra command-line configuration, e.g. {@code arg("--rename-command", "KEYS", "")}. */
        public Builder arg(String... args) {
            Collections.addAll(this.args, args);
            return this;
        }

        /**
         * TLS only, with a new throwaway CA and server certificate written into the server's directory by
         * {@link ServerCertificates#generate} (keyscan-testkit's {@code TestCertificates} must be on the class path):
         * {@code --port 0 --tls-port <free port> --tls-auth-clients no}. The binary must be built with TLS support
         * (Debian's and embedded-redis' are).
         */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /** TLS only as {@link #tls()}, with the given certificates, e.g. to share one CA between servers. */
        public Builder tls(ServerCertificates certificates) {
            this.tls = true;
            this.certificates = Objects.requireNonNull(certificates, "certificates");
            return this;
        }

        /** A name for log lines and errors. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Whether the arguments enable cluster mode, so the server also binds its cluster bus port. */
        private boolean clusterEnabled() {
            boolean enabled = false; // the last occurrence wins, as in redis-server
            for (int i = 0; i + 1 < args.size(); i++) {
                if (args.get(i).equalsIgnoreCase("--cluster-enabled")) {
                    enabled = args.get(i + 1).equalsIgnoreCase("yes");
                }
            }
            return enabled;
        }

        /** Starts the server on a free port and waits until it is ready. */
        public LocalRedisServer start() {
            if (binary == null) {
                binary = RedisBinary.find();
            }
            IllegalStateException last = null;
            for (int attempt = 0; attempt < 5; attempt++) {
                int port = freePort(clusterEnabled());
                Path dir;
                try {
                    dir = Files.createTempDirectory("keyscan-redis-" + port + "-");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                ServerCertificates serverCertificates = !tls ? null
                        : certificates != null ? certificates
                        : ServerCertificates.generate(dir.resolve("tls"));
                LocalRedisServer server = new LocalRedisServer(this, port, dir, serverCertificates);
                try {
                    server.launch(true, List.of());
                    log.info("Started {}", server.source());
                    return server;
                } catch (IllegalStateException e) {
                    server.stop();
                    last = e;
                    if (!server.logTail().contains("Address already in use")) {
                        throw e;
                    }
                }
            }
            throw last;
        }
    }
}
