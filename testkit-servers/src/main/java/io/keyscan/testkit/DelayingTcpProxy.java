package io.keyscan.testkit;

import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on a free loopback port that delays every byte, in each direction, by a set time: a network round trip
 * on one machine, where the kernel offers no {@code netem}. For each connection it accepts, it opens one to the
 * target and forwards both ways.
 *
 * <p>Each direction is a delay line, not a pause per write: a reader thread takes whatever arrives, stamps it with
 * the {@link System#nanoTime()} at which it is due ({@code arrival + delay}) and queues it; a writer thread sends
 * each chunk, in arrival order, as soon as it is due (those already due together, in one write). So bytes keep their order, and many requests in flight (a
 * pipeline, several cursor ranges) overlap their delays instead of adding them up: throughput is the link's, only
 * the latency grows. A full queue (4,096 chunks, at most 64 KiB each) stops the reader, and TCP's own flow control
 * then slows the sender, as on a real link.
 *
 * <p>An end of stream is delayed like data and passed on as a half-close ({@code shutdownOutput}): a server closing
 * a client (e.g. {@code CLIENT KILL}) reaches the client, and a client closing its connection reaches the server.
 * A connection is closed on both sides once both directions have ended, or at once when either side fails (reset).
 * {@link #close()} stops accepting and closes every connection.
 *
 * <p>Waiting for a chunk's time parks the writer until {@value #SPIN_NANOS} ns before it and yields the processor
 * for the rest: a park alone overshoots by about 0.1 ms on a loaded machine, so the delay is kept to some
 * microseconds, at the cost of up to that much processor time per chunk. Scheduling on a loaded machine can only
 * make the delay longer, never shorter. Threads: one accepting, four per connection (daemons).
 */
public final class DelayingTcpProxy implements AutoCloseable {

    /** Largest chunk read at once. */
    static final int CHUNK_BYTES = 64 * 1024;

    /** Most bytes a writer sends in one write: the chunks already due, together. */
    static final int BATCH_BYTES = 1024 * 1024;

    /** Chunks queued per direction before the reader waits (flow control). */
    static final int QUEUED_CHUNKS = 4096;

    /**
     * How long before a chunk is due the writer stops parking and yields instead: a park overshoots by about 0.1 ms
     * on a loaded 2-core machine (timer slack and scheduling), which would add up to every round trip.
     */
    static final long SPIN_NANOS = 150_000;

    private static final long CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final long THREAD_STACK_BYTES = 256 * 1024;

    private final InetSocketAddress target;
    private final long delayNanos;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicInteger linkIds = new AtomicInteger();
    private volatile boolean closed;

    private DelayingTcpProxy(InetSocketAddress target, long delayNanos) throws IOException {
        this.target = target;
        this.delayNanos = delayNanos;
        this.listener = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "delaying-proxy-" + listener.getLocalPort() + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Starts a proxy to {@code host:port} that delays each direction by {@code delayEachWay} (zero is allowed: a
     * plain proxy).
     */
    public static DelayingTcpProxy start(String host, int port, Duration delayEachWay) {
        if (delayEachWay.isNegative()) {
            throw new IllegalArgumentException("the delay must not be negative, was " + delayEachWay);
        }
        try {
            return new DelayingTcpProxy(new InetSocketAddress(host, port), delayEachWay.toNanos());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on a loopback port for a proxy to " + host + ":" + port, e);
        }
    }

    /** Starts a proxy in front of {@code server} that adds {@code roundTrip}: half of it in each direction. */
    public static DelayingTcpProxy addingRoundTrip(RedisServer server, Duration roundTrip) {
        RedisURI uri = server.redisUri();
        return start(uri.getHost(), uri.getPort(), roundTrip.dividedBy(2));
    }

    /** The loopback address the proxy listens on. */
    public String host() {
        return listener.getInetAddress().getHostAddress();
    }

    /** The port the proxy listens on. */
    public int port() {
        return listener.getLocalPort();
    }

    /** The delay added to each direction. */
    public Duration delayEachWay() {
        return Duration.ofNanos(delayNanos);
    }

    /** The round trip the proxy adds: twice {@link #delayEachWay()}. */
    public Duration addedRoundTrip() {
        return Duration.ofNanos(2 * delayNanos);
    }

    /** {@code uri} (credentials, TLS, database, timeout) pointing at the proxy instead of the server. */
    public RedisURI redisUri(RedisURI uri) {
        return RedisURI.builder(uri).withHost(host()).withPort(port()).build();
    }

    /** Connections open now (accepted, and not yet closed on both sides). */
    public int openConnections() {
        return links.size();
    }

    /** Connections accepted since the start. */
    public long acceptedConnections() {
        return accepted.get();
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Link link : links) {
            link.abort();
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "DelayingTcpProxy " + host() + ":" + port() + " -> " + target.getHostString() + ":" + target.getPort()
                + ", " + delayNanos / 1000 + " us each way";
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            Socket upstream = new Socket();
            try {
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(target, (int) CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            Link link = new Link(client, upstream, linkIds.incrementAndGet());
            links.add(link);
            if (closed) {
                link.abort();
            } else {
                link.start();
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** One accepted connection and the one opened for it to the target. */
    private final class Link {
        private final Socket client;
        private final Socket upstream;
        private final Direction up;
        private final Direction down;
        private final AtomicInteger ended = new AtomicInteger();
        private volatile boolean aborted;

        Link(Socket client, Socket upstream, int id) {
            this.client = client;
            this.upstream = upstream;
            String name = "delaying-proxy-" + port() + "-" + id;
            this.up = new Direction(client, upstream, name + "-up");
            this.down = new Direction(upstream, client, name + "-down");
        }

        void start() {
            up.start();
            down.start();
        }

        /** A direction passed its end of stream on; the second one closes the connection. */
        void ended() {
            if (ended.incrementAndGet() == 2) {
                abort();
            }
        }

        /** Closes both sockets, which ends every thread of the link. */
        void abort() {
            aborted = true;
            closeQuietly(client);
            closeQuietly(upstream);
            up.queue.clear();
            down.queue.clear();
            up.writer.interrupt();
            down.writer.interrupt();
            links.remove(this);
        }

        /** One way: bytes read from {@code from} are written to {@code to}, each {@link #delayNanos} later. */
        private final class Direction {
            private final Socket from;
            private final Socket to;
            private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
            private final Thread reader;
            private final Thread writer;

            Direction(Socket from, Socket to, String name) {
                this.from = from;
                this.to = to;
                this.reader = new Thread(null, this::read, name + "-read", THREAD_STACK_BYTES);
                this.writer = new Thread(null, this::write, name + "-write", THREAD_STACK_BYTES);
                reader.setDaemon(true);
                writer.setDaemon(true);
            }

            void start() {
                writer.start();
                reader.start();
            }

            private void read() {
                byte[] buffer = new byte[CHUNK_BYTES];
                try (InputStream in = from.getInputStream()) {
                    while (true) {
                        int n = in.read(buffer);
                        long due = System.nanoTime() + delayNanos;
                        if (n < 0) {
                            queue.put(new Chunk(due, null));
                            return;
                        }
                        queue.put(new Chunk(due, Arrays.copyOf(buffer, n)));
                    }
                } catch (IOException | InterruptedException e) {
                    abort(); // reset, or the link was closed
                }
            }

            private void write() {
                byte[] batch = new byte[BATCH_BYTES];
                try {
                    OutputStream out = to.getOutputStream();
                    while (!aborted) {
                        Chunk chunk = queue.take();
                        awaitNanoTime(chunk.due());
                        if (chunk.bytes() == null) {
                            to.shutdownOutput(); // the end of stream, as late as the data before it
                            ended();
                            return;
                        }
                        // A large reply arrives in many chunks, most of them due by the time the first is written:
                        // those go out in one write, which keeps the proxy's own cost per byte low.
                        int length = 0;
                        byte[] bytes = chunk.bytes();
                        while (true) {
                            if (length > 0 && length + bytes.length > batch.length) {
                                out.write(batch, 0, length);
                                length = 0;
                            }
                            if (length == 0 && bytes.length >= batch.length) {
                                out.write(bytes);
                            } else {
                                System.arraycopy(bytes, 0, batch, length, bytes.length);
                                length += bytes.length;
                            }
                            Chunk next = queue.peek();
                            if (next == null || next.bytes() == null || next.due() - System.nanoTime() > 0) {
                                break;
                            }
                            Chunk taken = queue.poll();
                            if (taken == null) {
                                break; // cleared: the link is closing
                            }
                            bytes = taken.bytes();
                        }
                        if (length > 0) {
                            out.write(batch, 0, length);
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    abort();
                }
            }
        }
    }

    /** Bytes (or, {@code null}, the end of stream) and the {@link System#nanoTime()} at which they are due. */
    private record Chunk(long due, byte[] bytes) {
    }

    /** Waits until {@link System#nanoTime()} reaches {@code due}: parks, then yields for the last stretch. */
    static void awaitNanoTime(long due) throws InterruptedException {
        long remaining;
        while ((remaining = due - System.nanoTime()) > 0) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (remaining > SPIN_NANOS) {
                LockSupport.parkNanos(remaining - SPIN_NANOS);
            } else {
                Thread.yield();
            }
        }
    }
}
