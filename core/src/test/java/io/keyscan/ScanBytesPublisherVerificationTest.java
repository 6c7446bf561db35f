package io.keyscan;

import org.reactivestreams.Publisher;

/**
 * The Reactive Streams TCK against {@link KeyScanner#scanBytes(String)} over one server.
 *
 * <p>The TCK skips the optional multicast rules 1.11 here by itself: it compares what two subscribers received
 * with {@code equals}, and each subscription hands out its own arrays (they are the caller's to keep). The same
 * rules pass for {@code scan}, which walks the same way.
 */
public class ScanBytesPublisherVerificationTest extends KeyScanPublisherVerification<byte[]> {

    @Override
    Publisher<byte[]> list(KeyScanner scanner) {
        return scanner.scanBytes("*");
    }
}
