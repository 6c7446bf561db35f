package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.testkit.LogCapture;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Closing a scanner returns even when Lettuce's shutdown never completes (redis/lettuce#2278). */
class ClientShutdownTest {

    /** A client whose shutdown never completes, as Lettuce's sometimes does not. */
    private static final class StuckClient extends RedisClient {
        StuckClient(ClientResources resources) {
            super(resources, RedisURI.create("redis://localhost:1"));
        }

        @Override
        public CompletableFuture<Void> shutdownAsync(long quietPeriod, long timeout, TimeUnit timeUnit) {
            return new CompletableFuture<>();
        }
    }

    @Test
    void aShutdownThatNeverCompletesIsWaitedForABoundedTimeAndSaidSo() {
        ClientResources resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1)
                .build();
        try (LogCapture logs = LogCapture.everything()) {
            ClientShutdown.shutdown(new StuckClient(resources), Duration.ofMillis(50));
            assertThat(logs.warnings()).anyMatch(line -> line.contains("did not finish shutting down within 50 ms"));
        } finally {
            resources.shutdown(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClientThatShutsDownIsWaitedFor() {
        ClientResources resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1)
                .build();
        try (LogCapture logs = LogCapture.everything()) {
            RedisClient client = RedisClient.create(resources, RedisURI.create("redis://localhost:1"));
            ClientShutdown.shutdown(client);
            assertThat(logs.warnings()).isEmpty();
        } finally {
            resources.shutdown(0, 1, TimeUnit.SECONDS);
        }
    }
}
