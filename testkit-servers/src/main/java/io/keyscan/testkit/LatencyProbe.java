package io.keyscan.testkit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A second client that PINGs the server over and over and records the longest round trip, and every round trip in
 * an HdrHistogram (for percentiles): how long other clients had to wait while the server was busy, e.g. with KEYS.
 *
 * <p>It runs in a JVM of its own, so that garbage collection and CPU work in the measuring JVM (collecting
 * and sorting a million keys) do not show up as server delay. The parent talks to it over stdin/stdout:
 * {@link #reset()} starts a measurement, {@link #maxMillis()} and {@link #roundTrips()} read it.
 */
public final class LatencyProbe implements AutoCloseable {

    private final Process process;
    private final BufferedWriter commands;
    private final BufferedReader replies;

    private LatencyProbe(Process process) {
        this.process = process;
        this.commands = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts a probe JVM that connects to {@code uri} and pings until closed. */
    public static LatencyProbe start(RedisURI uri) {
        List<String> command = Jvm.command(LatencyProbe.class,
                List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), List.of());
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            LatencyProbe probe = new LatencyProbe(process);
            // Where to connect goes over stdin, not the command line, where other users could read a password.
            String target = (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/"
                    + uri.getDatabase();
            RedisCredentials credentials = uri.getCredentialsProvider() == null ? null
                    : uri.getCredentialsProvider().resolveCredentials().block(Duration.ofSeconds(10));
            String username = credentials != null && credentials.hasUsername() ? credentials.getUsername() : "";
            String password = credentials != null && credentials.hasPassword()
                    ? new String(credentials.getPassword()) : "";
            probe.ask(target + "\t" + username + "\t" + password);
            return probe;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the latency probe JVM", e);
        }
    }

    /** Starts a new measurement; returns once the probe has reset. */
    public void reset() {
        ask("reset");
    }

    /**
     * The longest PING round trip since the last {@link #reset()}, in milliseconds. Waits for two more PINGs to
     * complete first: a PING still held up by the server when this is called (by a KEYS that just returned, say)
     * must count.
     */
    public double maxMillis() {
        return Long.parseLong(ask("max")) / 1_000_000.0;
    }

    /**
     * Every PING round trip since the last {@link #reset()}, in nanoseconds (3 significant digits), once two more
     * PINGs have completed (as {@link #maxMillis()}).
     */
    public Histogram roundTrips() {
        byte[] compressed = Base64.getDecoder().decode(ask("histogram"));
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(compressed), 0);
        } catch (DataFormatException e) {
            throw new IllegalStateException("the latency probe sent a histogram that does not decode", e);
        }
    }

    /** How many PINGs completed since the last {@link #reset()}. */
    public long pings() {
        return Long.parseLong(ask("pings"));
    }

    private synchronized String ask(String line) {
        try {
            commands.write(line);
            commands.newLine();
            commands.flush();
            String reply = replies.readLine();
            if (reply == null) {
                throw new IllegalStateException("the latency probe exited (exit code "
                        + (process.isAlive() ? "none yet" : process.exitValue()) + ")");
            }
            return reply;
        } catch (IOException e) {
            throw new UncheckedIOException("the latency probe does not answer", e);
        }
    }

    @Override
    public void close() {
        try {
            ask("quit");
        } catch (RuntimeException alreadyGone) {
            // closing anyway
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** The probe JVM: the first stdin line is {@code uri TAB username TAB password}; then commands. */
    public static void main(String[] args) throws IOException {
        PrintStream protocol = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err); // library output must not mix with the protocol
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String[] target = in.readLine().split("\t", 3);
        RedisURI uri = RedisURI.create(target[0]);
        if (!target[2].isEmpty()) {
            uri = target[1].isEmpty() ? RedisURI.builder(uri).withPassword(target[2].toCharArray()).build()
                    : RedisURI.builder(uri).withAuthentication(target[1], target[2].toCharArray()).build();
        }
        uri.setTimeout(Duration.ofMinutes(1));
        RedisClient client = RedisClient.create(uri);
        StatefulRedisConnection<String, String> connection = client.connect();
        AtomicLong maxNanos = new AtomicLong();
        AtomicLong pings = new AtomicLong();
        Recorder recorder = new Recorder(3);
        Histogram sinceReset = new Histogram(3);
        Thread pinger = new Thread(() -> ping(connection.sync(), maxNanos, pings, recorder), "ping");
        pinger.setDaemon(true);
        pinger.start();
        protocol.println("ready");
        for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
            switch (line) {
                case "reset":
                    maxNanos.set(0);
                    pings.set(0);
                    recorder.reset();
                    sinceReset.reset();
                    protocol.println("ok");
                    break;
                case "histogram":
                    awaitPings(pings, pings.get() + 2);
                    sinceReset.add(recorder.getIntervalHistogram());
                    ByteBuffer buffer = ByteBuffer.allocate(sinceReset.getNeededByteBufferCapacity());
                    int length = sinceReset.encodeIntoCompressedByteBuffer(buffer);
                    protocol.println(Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length)));
                    break;
                case "max":
                    awaitPings(pings, pings.get() + 2);
                    protocol.println(maxNanos.get());
                    break;
                case "pings":
                    protocol.println(pings.get());
                    break;
                default:
                    protocol.println("unknown command " + line);
            }
        }
        protocol.println("bye");
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        System.exit(0);
    }

    /** Waits (at most a minute) until {@code pings} reaches {@code target}. */
    private static void awaitPings(AtomicLong pings, long target) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (pings.get() < target && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void ping(RedisCommands<String, String> commands, AtomicLong maxNanos, AtomicLong pings,
            Recorder recorder) {
        while (true) {
            long start = System.nanoTime();
            try {
                commands.ping();
            } catch (RuntimeException e) {
                continue;
            }
            long nanos = System.nanoTime() - start;
            recorder.recordValue(nanos);
            maxNanos.accumulateAndGet(nanos, Math::max);
            pings.incrementAndGet();
            try {
                // About one PING per 0.2 ms of idle time: light enough not to load the server itself.
                TimeUnit.MICROSECONDS.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
