package io.keyscan.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link DelayingTcpProxy} in front of a real Redis server. */
class DelayingTcpProxyIT {

    private static LocalRedisServer redis;
    private static RedisClient client;

    @BeforeAll
    static void start() {
        redis = LocalRedisServer.start();
        client = RedisClient.create();
    }

    @AfterAll
    static void stop() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        redis.close();
    }

    private static StatefulRedisConnection<String, String> connect(DelayingTcpProxy proxy) {
        return client.connect(proxy.redisUri(redis.redisUri()));
    }

    @Test
    void everyRoundTripTakesAtLeastTheAddedTime() {
        for (Duration eachWay : List.of(Duration.ofNanos(50_000), Duration.ofNanos(250_000))) {
            try (DelayingTcpProxy proxy = DelayingTcpProxy.start(redis.redisUri().getHost(), redis.port(), eachWay);
                    StatefulRedisConnection<String, String> connection = connect(proxy)) {
                assertThat(proxy.addedRoundTrip()).isEqualTo(eachWay.multipliedBy(2));
                List<Long> through = pingNanos(connection.sync());
                List<Long> direct = pingNanos(redis.admin());

                System.out.printf("added %d us: PING through the proxy min %d us, median %d us; direct median %d us%n",
                        proxy.addedRoundTrip().toNanos() / 1000, through.get(0) / 1000,
                        through.get(through.size() / 2) / 1000, direct.get(direct.size() / 2) / 1000);
                assertThat(through.get(0)).as("the shortest round trip through the proxy")
                        .isGreaterThanOrEqualTo(proxy.addedRoundTrip().toNanos());
                assertThat(through.get(through.size() / 2)).isGreaterThan(direct.get(direct.size() / 2));
            }
        }
    }

    /** 300 PING round trips (after 50 unmeasured), sorted, in nanoseconds. */
    private static List<Long> pingNanos(RedisCommands<String, String> commands) {
        List<Long> nanos = new ArrayList<>();
        for (int i = 0; i < 350; i++) {
            long start = System.nanoTime();
            commands.ping();
            if (i >= 50) {
                nanos.add(System.nanoTime() - start);
            }
        }
        Collections.sort(nanos);
        return nanos;
    }

    @Test
    void requestsInFlightOverlapTheirDelaysInsteadOfAddingThemUp() {
        try (DelayingTcpProxy proxy = DelayingTcpProxy.start(redis.redisUri().getHost(), redis.port(),
                Duration.ofMillis(1));
                StatefulRedisConnection<String, String> connection = connect(proxy)) {
            RedisAsyncCommands<String, String> async = connection.async();
            async.ping().toCompletableFuture().join();
            long start = System.nanoTime();
            List<RedisFuture<String>> pings = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                pings.add(async.ping());
            }
            LettuceFutures.awaitAll(Duration.ofSeconds(30), pings.toArray(new RedisFuture<?>[0]));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            // one after the other they would take 500 x 2 ms; pipelined, about one round trip
            assertThat(millis).as("500 pipelined PINGs over a 2 ms round trip").isBetween(2L, 300L);
        }
    }

    @Test
    void largeValuesAndLongPipelinesArriveIntactAndInOrder() {
        try (DelayingTcpProxy proxy = DelayingTcpProxy.start(redis.redisUri().getHost(), redis.port(),
                Duration.ofNanos(250_000));
                StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE,
                        proxy.redisUri(redis.redisUri()))) {
            byte[] value = new byte[16 * 1024 * 1024 + 7];
            new Random(42).nextBytes(value);
            byte[] key = "proxy:large".getBytes(StandardCharsets.UTF_8);
            connection.sync().set(key, value);
            assertThat(connection.sync().get(key)).isEqualTo(value);
            assertThat(redis.admin().strlen("proxy:large")).isEqualTo(value.length);

            RedisAsyncCommands<byte[], byte[]> async = connection.async();
            byte[] counter = "proxy:counter".getBytes(StandardCharsets.UTF_8);
            List<RedisFuture<Long>> increments = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                increments.add(async.incr(counter));
            }
            LettuceFutures.awaitAll(Duration.ofSeconds(30), increments.toArray(new RedisFuture<?>[0]));
            for (int i = 0; i < increments.size(); i++) {
                assertThat(increments.get(i).toCompletableFuture().join()).isEqualTo(i + 1L);
            }
        }
    }

    @Test
    void manyConnectionsAtOnceEachGetTheirOwnAnswers() throws Exception {
        int connections = 64;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try (DelayingTcpProxy proxy = DelayingTcpProxy.start(redis.redisUri().getHost(), redis.port(),
                Duration.ofNanos(250_000))) {
            List<StatefulRedisConnection<String, String>> open = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                open.add(connect(proxy));
            }
            assertThat(proxy.openConnections()).isEqualTo(connections);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                RedisCommands<String, String> sync = open.get(i).sync();
                String key = "proxy:conn:" + i;
                done.add(pool.submit(() -> {
                    for (int n = 0; n < 50; n++) {
                        sync.set(key, key + ":" + n);
                        assertThat(sync.get(key)).isEqualTo(key + ":" + n);
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
            for (StatefulRedisConnection<String, String> connection : open) {
                connection.close();
            }
            await(() -> proxy.openConnections() == 0, "every closed connection closed on both sides");
            assertThat(proxy.acceptedConnections()).isEqualTo(connections);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aClientClosingReachesTheServerAndTheServerClosingReachesTheClient() throws Exception {
        try (DelayingTcpProxy proxy = DelayingTcpProxy.start(redis.redisUri().getHost(), redis.port(),
                Duration.ofNanos(250_000))) {
            long before = connectedClients();

            Socket closing = rawClient(proxy, "proxy-closing");
            await(() -> connectedClients() == before + 1, "the server sees the client");
            closing.close();
            await(() -> connectedClients() == before, "the server sees the client close");

            Socket killed = rawClient(proxy, "proxy-killed");
            assertThat(redis.admin().clientKill(io.lettuce.core.KillArgs.Builder.id(clientId("proxy-killed"))))
                    .isEqualTo(1);
            killed.setSoTimeout(5_000);
            assertThat(killed.getInputStream().read()).as("the client reads the end of the stream").isEqualTo(-1);
            killed.close();
            await(() -> proxy.openConnections() == 0, "the proxy closes both sides");
        }
        assertThat(redis.admin().ping()).isEqualTo("PONG");
    }

    /** A plain socket through the proxy, named {@code name} on the server, once the server has answered. */
    private static Socket rawClient(DelayingTcpProxy proxy, String name) throws Exception {
        Socket socket = new Socket(proxy.host(), proxy.port());
        OutputStream out = socket.getOutputStream();
        out.write(("CLIENT SETNAME " + name + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] ok = in.readNBytes(5);
        assertThat(new String(ok, StandardCharsets.US_ASCII)).isEqualTo("+OK\r\n");
        return socket;
    }

    private static long clientId(String name) {
        for (String line : redis.admin().clientList().split("\n")) {
            if (line.contains(" name=" + name + " ")) {
                return Long.parseLong(line.substring(3, line.indexOf(' ')));
            }
        }
        throw new IllegalStateException("no client named " + name);
    }

    private static long connectedClients() {
        return Long.parseLong(redis.infoField("clients", "connected_clients"));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
