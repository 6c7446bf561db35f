package io.keyscan.lettuce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keyscan.KeyScanListener;
import io.keyscan.KeyScanOptions;
import io.keyscan.KeyScanner;
import io.keyscan.KeyValue;
import io.keyscan.testkit.LocalRedisCluster;
import io.keyscan.testkit.LocalRedisServer;
import io.keyscan.testkit.RedisBinary;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/**
 * Clusters of other shapes than the shared 3 + 3 one, each started here and listed exactly on both paths (SCAN and
 * KEYS), with values (one MGET per slot), a hash-tagged pattern (its one node only) and {@code readFromReplicas}:
 * one node that announces no address of its own, nodes announcing a hostname the cluster prefers, and TLS only.
 */
class ClusterShapesIT {

    private static final Duration WAIT = Duration.ofMinutes(1);

    /** 3,000 keys over about 2,800 slots, and 200 of one slot. */
    private static final List<String> SPREAD = generate("shape:%05d", 3000);
    private static final List<String> TAGGED = generate("{shape}:%03d", 200);

    private static List<String> generate(String format, int count) {
        List<String> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            keys.add(String.format(format, i));
        }
        return keys;
    }

    /** The addresses the scanner sent SCAN to, as it reports them. */
    static final class Addresses implements KeyScanListener {
        final Set<String> scanned = ConcurrentHashMap.newKeySet();

        @Override
        public void onScanPage(String address, int count, int keys) {
            scanned.add(address);
        }
    }

    @Test
    void oneNodeThatAnnouncesNoAddressIsListedAtTheAddressTheClientReachedItAt() {
        try (LocalRedisCluster cluster = LocalRedisCluster.builder().masters(1).replicasPerMaster(0).start()) {
            LocalRedisServer node = cluster.nodes().get(0);
            assertThat(cluster.announcedAddress(node)).as("its own line of CLUSTER NODES")
                    .startsWith(":" + node.port() + "@");
            cluster.loadKeys(SPREAD);
            cluster.loadKeys(TAGGED);
            // reached by ip, then by name: the node is listed where each client found it
            for (String host : List.of("127.0.0.1", "localhost")) {
                RedisURI seed = RedisURI.create(host, node.port());
                Set<String> addresses = assertListedExactly(List.of(seed), cluster.clusterClientOptions());
                assertThat(addresses).containsExactly(host + ":" + node.port());
            }
        }
    }

    @Test
    void nodesAnnouncingAHostnameAreListedByThatHostname() {
        RedisBinary binary = RedisBinary.find();
        assumeTrue(binary.majorVersion() >= 7, "cluster-announce-hostname needs Redis 7.0 or later; "
                + binary.path() + " is " + binary.version());
        try (LocalRedisCluster cluster = LocalRedisCluster.builder().masters(3).replicasPerMaster(1)
                .announceHostname("localhost").start()) {
            for (LocalRedisServer node : cluster.nodes()) {
                assertThat(cluster.announcedAddress(node)).as("its own line of CLUSTER NODES")
                        .isEqualTo("127.0.0.1:" + node.port() + "@" + (node.port() + 10000) + ",localhost");
            }
            cluster.loadKeys(SPREAD);
            cluster.loadKeys(TAGGED);
            // seeds by ip: the nodes are still reached by the hostname the cluster prefers
            Set<String> addresses = assertListedExactly(cluster.redisUris(), cluster.clusterClientOptions());
            Set<String> expected = new TreeSet<>();
            for (LocalRedisServer node : cluster.nodes()) {
                expected.add("localhost:" + node.port());
            }
            assertThat(addresses).hasSize(6).isSubsetOf(expected);
        }
    }

    @Test
    void aTlsClusterIsListedOverTls() {
        try (LocalRedisCluster cluster = LocalRedisCluster.builder().masters(3).replicasPerMaster(1).tls().start()) {
            assertThat(cluster.redisUris()).allSatisfy(uri -> assertThat(uri.isSsl()).isTrue());
            for (LocalRedisServer node : cluster.nodes()) {
                // the TLS port: --tls-cluster yes announces it, and there is no plain port
                assertThat(cluster.announcedAddress(node)).startsWith("127.0.0.1:" + node.port() + "@");
            }
            cluster.loadKeys(SPREAD);
            cluster.loadKeys(TAGGED);
            Set<String> addresses = assertListedExactly(cluster.redisUris(), cluster.clusterClientOptions());
            assertThat(addresses).hasSize(6);
        }
    }

    /**
     * Lists the cluster with a scanner of its own per option set (SCAN and KEYS, from masters and from replicas):
     * the exact sorted keys, their values, and the hash-tagged keys.
     *
     * @return every address SCAN was sent to
     */
    private static Set<String> assertListedExactly(List<RedisURI> seeds, ClusterClientOptions clientOptions) {
        List<String> expected = new ArrayList<>(SPREAD);
        expected.sort(null);
        List<KeyValue> values = new ArrayList<>();
        for (String key : expected) {
            values.add(KeyValue.of(key, "1"));
        }
        List<String> tagged = new ArrayList<>(TAGGED);
        tagged.sort(null);
        Addresses addresses = new Addresses();
        for (boolean useScan : List.of(true, false)) {
            for (boolean readFromReplicas : List.of(false, true)) {
                KeyScanOptions options = KeyScanOptions.builder().useScan(useScan).readFromReplicas(readFromReplicas)
                        .listener(addresses).build();
                String path = (useScan ? "SCAN" : "KEYS") + (readFromReplicas ? " from replicas" : "");
                try (KeyScanner scanner = LettuceKeyScanner.createCluster(seeds, clientOptions, options)) {
                    assertThat(scanner.fetchKeys("shape:*").block(WAIT)).as("fetchKeys on the %s path", path)
                            .isEqualTo(expected);
                    List<String> scanned = scanner.scan("shape:*").collectList().block(WAIT);
                    assertThat(scanned).as("scan on the %s path", path).hasSize(expected.size());
                    scanned.sort(null);
                    assertThat(scanned).as("scan on the %s path", path).isEqualTo(expected);
                    assertThat(scanner.fetchKeys("{shape}:*").block(WAIT)).as("a hash tag on the %s path", path)
                            .isEqualTo(tagged);
                    StepVerifier.create(scanner.fetchValues("shape:*")).expectNext(values).expectComplete()
                            .verify(WAIT);
                }
            }
        }
        return addresses.scanned;
    }
}
