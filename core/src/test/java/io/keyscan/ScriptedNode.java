package io.keyscan;

import io.keyscan.spi.ScanNode;
import io.keyscan.spi.ScanPage;
import io.keyscan.spi.ScanRequest;
import io.keyscan.spi.ServerInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A scripted {@link ScanNode} for engine tests: pages are looked up by cursor, and each call can be replaced by
 * a scripted reply (an error, a reply that never comes). Records every command it receives, on subscription,
 * as a server would see it.
 */
class ScriptedNode implements ScanNode {

    final List<ScanRequest> scans = new CopyOnWriteArrayList<>();
    /** When each SCAN was received, in milliseconds of the parallel scheduler's clock (virtual in tests). */
    final List<Long> scanTimes = new CopyOnWriteArrayList<>();
    final AtomicInteger runIdCalls = new AtomicInteger();
    final AtomicInteger keysCalls = new AtomicInteger();
    final AtomicInteger existsCalls = new AtomicInteger();
    final Set<String> existing = ConcurrentHashMap.newKeySet();
    private volatile String product = "scripted";
    private volatile String version = "7.0.15";
    private volatile long nanosPerCount;
    private final AtomicLong scanNanos = new AtomicLong();
    private final AtomicInteger readings = new AtomicInteger();
    final AtomicInteger cancelledScans = new AtomicInteger();
    final AtomicLong epoch = new AtomicLong();
    private final Map<String, ScanPage> pages = new ConcurrentHashMap<>();
    private final List<Function<ScanRequest, Mono<ScanPage>>> overrides = new CopyOnWriteArrayList<>();
    private volatile String runId = "run-1";
    private volatile @Nullable Scheduler deliverOn;
    private volatile Mono<List<byte[]>> keysReply = Mono.just(List.of());
    private final String address;

    ScriptedNode() {
        this("scripted:6379");
    }

    ScriptedNode(String address) {
        this.address = address;
    }

    /** Pages chained by cursor: the first answers cursor 0, page i (from 1) answers cursor 100 + i. */
    ScriptedNode pages(List<List<String>> keysPerPage) {
        for (int i = 0; i < keysPerPage.size(); i++) {
            String cursor = String.valueOf(i == 0 ? 0 : 100 + i);
            String next = i == keysPerPage.size() - 1 ? "0" : String.valueOf(100 + i + 1);
            pages.put(cursor, ScanPage.of(next, bytes(keysPerPage.get(i))));
        }
        return this;
    }

    /** The next SCAN call gets this reply instead of its page (one override is used per call, in order). */
    ScriptedNode thenReply(Function<ScanRequest, Mono<ScanPage>> reply) {
        overrides.add(reply);
        return this;
    }

    /** The next SCAN call gets its scripted page (to place an override further down the calls). */
    ScriptedNode thenPage() {
        return thenReply(this::page);
    }

    /** Every SCAN costs the "server" COUNT times this, as {@link #scanMicros()} reports it. */
    ScriptedNode costPerCount(Duration perCount) {
        this.nanosPerCount = perCount.toNanos();
        return this;
    }

    /** Every SCAN reply is delivered on {@code io}, as a client's I/O thread would deliver it. */
    ScriptedNode deliverOn(Scheduler io) {
        this.deliverOn = io;
        return this;
    }

    /** What the node says it is: "redis" makes it allow cursor ranges. */
    ScriptedNode product(String product) {
        this.product = product;
        return this;
    }

    /** The version the node reports: SCAN's TYPE argument needs 6.0. */
    ScriptedNode version(String version) {
        this.version = version;
        return this;
    }

    ScriptedNode runId(String runId) {
        this.runId = runId;
        return this;
    }

    ScriptedNode keysReply(Mono<List<byte[]>> reply) {
        this.keysReply = reply;
        return this;
    }

    Mono<ScanPage> page(ScanRequest request) {
        ScanPage page = pages.get(request.cursor());
        if (page == null) {
            return Mono.error(new IllegalStateException("no page for cursor " + request.cursor()));
        }
        String type = request.type();
        if (type != null && Integer.parseInt(version.split("\\.")[0]) < 6) {
            // as Redis before 6.0 answers SCAN's TYPE argument
            return Mono.error(new IllegalStateException("ERR syntax error"));
        }
        if (type != null) { // as a server would: only the keys of that type
            List<byte[]> kept = new ArrayList<>();
            for (byte[] key : page.keys()) {
                if (type.equals(types.getOrDefault(new String(key, StandardCharsets.UTF_8), "string"))) {
                    kept.add(key);
                }
            }
            page = ScanPage.of(page.cursor(), kept);
        }
        return Mono.just(page);
    }

    List<String> cursorsSent() {
        List<String> cursors = new ArrayList<>();
        for (ScanRequest request : scans) {
            cursors.add(request.cursor());
        }
        return cursors;
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public Mono<ScanPage> scan(ScanRequest request) {
        return Mono.defer(() -> {
            scans.add(request);
            scanTimes.add(Schedulers.parallel().now(TimeUnit.MILLISECONDS));
            scanNanos.addAndGet(nanosPerCount * request.count());
            Mono<ScanPage> reply = !overrides.isEmpty() ? overrides.remove(0).apply(request) : page(request);
            Scheduler io = deliverOn;
            return io == null ? reply : reply.publishOn(io);
        }).doOnCancel(cancelledScans::incrementAndGet);
    }

    @Override
    public Mono<List<byte[]>> keys(byte[] pattern) {
        return Mono.defer(() -> {
            keysCalls.incrementAndGet();
            return keysReply;
        });
    }

    /** Like INFO commandstats: the server time of every SCAN run so far (COUNT times the scripted cost). */
    @Override
    public Mono<Long> scanMicros() {
        return Mono.fromCallable(() -> {
            readings.incrementAndGet();
            return scanNanos.get() / 1_000;
        });
    }

    int scanMicrosReadings() {
        return readings.get();
    }

    /** TYPE of each key: from {@link #types}, "string" for any other key. */
    final Map<String, String> types = new ConcurrentHashMap<>();
    final AtomicInteger typeCalls = new AtomicInteger();
    /** MGET: values by key; keys not here are missing. */
    final Map<String, String> values = new ConcurrentHashMap<>();

    @Override
    public Mono<List<String>> types(List<byte[]> keys) {
        return Mono.fromCallable(() -> {
            List<String> answer = new ArrayList<>();
            for (byte[] key : keys) {
                typeCalls.incrementAndGet();
                answer.add(types.getOrDefault(new String(key, StandardCharsets.UTF_8), "string"));
            }
            return answer;
        });
    }

    @Override
    public Mono<Boolean> exists(byte[] key) {
        return Mono.fromCallable(() -> {
            existsCalls.incrementAndGet();
            return existing.contains(new String(key, StandardCharsets.UTF_8));
        });
    }

    @Override
    public Mono<ServerInfo> serverInfo() {
        return Mono.fromCallable(() -> {
            runIdCalls.incrementAndGet();
            return ServerInfo.of(runId, product, version, "standalone");
        });
    }

    @Override
    public long connectionEpoch() {
        return epoch.get();
    }

    static List<byte[]> bytes(List<String> keys) {
        List<byte[]> out = new ArrayList<>(keys.size());
        for (String key : keys) {
            out.add(key.getBytes(StandardCharsets.UTF_8));
        }
        return Collections.unmodifiableList(out);
    }
}
