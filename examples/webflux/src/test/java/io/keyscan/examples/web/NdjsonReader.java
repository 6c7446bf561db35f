package io.keyscan.examples.web;

import io.netty.channel.ChannelOption;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.netty.http.client.HttpClient;

/**
 * Reads an NDJSON response over a real connection with explicit demand: one {@link #request(long) request} asks
 * Reactor Netty for that many more chunks of the body, and while none is asked for, Reactor Netty stops reading the
 * socket, so the server sees a client that does not read. The receive buffer is fixed (no kernel autotuning, which
 * on loopback may grow it to tens of megabytes, as much as the whole listing) at a size still well above the loopback
 * MSS (64 KiB): a buffer below it makes the receiver hold back window updates and the transfer crawl.
 */
final class NdjsonReader extends BaseSubscriber<byte[]> {

    static final int RECEIVE_BUFFER = 256 * 1024;

    final AtomicInteger status = new AtomicInteger();
    final AtomicLong chunks = new AtomicLong();
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    final AtomicReference<Throwable> error = new AtomicReference<>();
    volatile boolean completed;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    /** Opens {@code GET path} on {@code port} and subscribes with no demand yet. */
    static NdjsonReader open(int port, String path) {
        NdjsonReader reader = new NdjsonReader();
        HttpClient.create()
                .option(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER)
                .baseUrl("http://127.0.0.1:" + port)
                .get()
                .uri(path)
                .response((response, body) -> {
                    reader.status.set(response.status().code());
                    return body.asByteArray();
                })
                .subscribe(reader);
        return reader;
    }

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
        // no demand: the test asks
    }

    @Override
    protected void hookOnNext(byte[] chunk) {
        chunks.incrementAndGet();
        synchronized (partial) {
            for (byte b : chunk) {
                if (b == '\n') {
                    lines.add(partial.toString(StandardCharsets.UTF_8));
                    partial.reset();
                } else {
                    partial.write(b);
                }
            }
        }
    }

    @Override
    protected void hookOnComplete() {
        completed = true;
    }

    @Override
    protected void hookOnError(Throwable throwable) {
        error.set(throwable);
    }

    boolean done() {
        return completed || error.get() != null;
    }

    /** Bytes received after the last newline: a line cut short. */
    int partialBytes() {
        synchronized (partial) {
            return partial.size();
        }
    }
}
