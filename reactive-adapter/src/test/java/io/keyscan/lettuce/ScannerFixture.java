package io.keyscan.lettuce;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;

/**
 * A Lettuce client, connection and scanner over a test server. The test holds the connection too, so it can
 * send a PING behind the scanner's commands: Redis answers one connection's commands in order, so once the
 * PING is answered, every SCAN the scanner had sent has been counted in INFO commandstats.
 */
final class ScannerFixture implements AutoCloseable {

    final RedisClient client;
    final StatefulRedisConnection<String, String> connection;
    final KeyScanner scanner;

    ScannerFixture(RedisServer server, KeyScanOptions options) {
        this.client = RedisClient.create(server.redisUri());
        this.connection = client.connect();
        this.scanner = LettuceKeyScanner.create(connection, options);
    }

    /** Waits until the server has answered everything sent on the scanner's connection so far. */
    void settle() {
        connection.sync().ping();
    }

    @Override
    public void close() {
        scanner.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
