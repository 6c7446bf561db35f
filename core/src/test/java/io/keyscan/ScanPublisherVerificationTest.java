package io.keyscan;

import org.reactivestreams.Publisher;

/** The Reactive Streams TCK against {@link KeyScanner#scan(String)} over one server. */
public class ScanPublisherVerificationTest extends KeyScanPublisherVerification<String> {

    @Override
    Publisher<String> list(KeyScanner scanner) {
        return scanner.scan("*");
    }
}
