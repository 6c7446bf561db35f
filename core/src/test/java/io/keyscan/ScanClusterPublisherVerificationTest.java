package io.keyscan;

import io.keyscan.spi.RedisKeyspace;
import org.reactivestreams.Publisher;

/**
 * The Reactive Streams TCK against {@link KeyScanner#scan(String)} over three servers, as for a cluster: the
 * per-server walks are merged, so this covers the merge on top of {@link NodeKeyWalk}. The keys are spread
 * unevenly, so that some servers hold none for the small listings most rules use.
 *
 * <p>The optional multicast rules 1.11 may be skipped by the TCK itself: the servers' keys interleave in
 * whatever order their pages arrive, which differs between subscriptions (documented: no order).
 */
public class ScanClusterPublisherVerificationTest extends KeyScanPublisherVerification<String> {

    @Override
    Publisher<String> list(KeyScanner scanner) {
        return scanner.scan("*");
    }

    @Override
    RedisKeyspace keyspace(long keys) {
        long first = keys / 2;
        long second = keys / 3;
        return new ScriptedKeyspace(new GeneratedKeysNode("a:", first), new GeneratedKeysNode("b:", second),
                new GeneratedKeysNode("c:", keys - first - second));
    }
}
