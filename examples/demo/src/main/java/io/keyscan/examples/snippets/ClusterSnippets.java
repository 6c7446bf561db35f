package io.keyscan.examples.snippets;

import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.lettuce.LettuceKeyScanner;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.io.File;
import java.time.Duration;
import java.util.List;

/** The code of docs/cluster.md. */
final class ClusterSnippets {

    private ClusterSnippets() {
    }

    static void create(StatefulRedisClusterConnection<String, String> clusterConnection, KeyScanOptions options) {
        // tag::cluster-create[]
        // A scanner with its own cluster client (closed with the scanner):
        KeyScanner scanner = LettuceKeyScanner.createCluster(List.of(RedisURI.create("redis://10.0.0.1:7000")),
                KeyScanOptions.fromEnvironment());

        // Or over the application's cluster connection (left open when the scanner is closed):
        KeyScanner shared = LettuceKeyScanner.create(clusterConnection, options);
        // end::cluster-create[]
    }

    static KeyScanner tls() {
        // tag::cluster-tls[]
        ClusterClientOptions tls = ClusterClientOptions.builder()
                .sslOptions(SslOptions.builder().trustManager(new File("/etc/redis/ca.crt")).build())
                .build();
        KeyScanner scanner = LettuceKeyScanner.createCluster(List.of(RedisURI.create("rediss://10.0.0.1:7000")), tls,
                KeyScanOptions.fromEnvironment());
        // end::cluster-tls[]
        return scanner;
    }

    static KeyScanOptions failoverRetries() {
        // tag::cluster-failover-retries[]
        KeyScanOptions options = KeyScanOptions.builder().useScan(true)
                .retryMaxAttempts(15).retryMaxBackoff(Duration.ofSeconds(2))   // about 25 s of retrying
                .build();
        // end::cluster-failover-retries[]
        return options;
    }
}
