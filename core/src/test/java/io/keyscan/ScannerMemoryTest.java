package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** What the listings of one scanner hold together, against one limit, given back however each ends. */
class ScannerMemoryTest {

    private static final KeyScanOptions OPTIONS = KeyScanOptions.builder().useScan(true).scanCountAutoTune(false)
            .scanCount(100).build();

    private static List<String> keys(int count) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            keys.add(String.format("key:%05d", i));
        }
        return keys;
    }

    private static DefaultKeyScanner scanner(TableNode node, ScannerMemory memory) {
        return new DefaultKeyScanner(new ScriptedKeyspace(node), OPTIONS, () -> 0.5, System::nanoTime, memory);
    }

    @Test
    void reservesInChunksAndRefusesWhatWouldPassTheLimit() {
        ScannerMemory memory = new ScannerMemory(100 * 1024);
        ScannerMemory.Share first = new ScannerMemory.Share(memory, "a:*");
        first.use(1, 1);
        assertThat(memory.reserved()).isEqualTo(ScannerMemory.CHUNK);
        first.use(ScannerMemory.CHUNK, 2); // within what it reserved
        assertThat(memory.reserved()).isEqualTo(ScannerMemory.CHUNK);
        ScannerMemory.Share second = new ScannerMemory.Share(memory, "b:*");
        second.use(30 * 1024, 3); // a chunk does not fit any more, the exact amount does
        assertThat(memory.reserved()).isEqualTo(ScannerMemory.CHUNK + 30 * 1024);
        assertThatThrownBy(() -> second.use(40 * 1024, 400))
                .isInstanceOf(KeyScanException.class)
                .hasMessageContaining("pattern 'b:*' stopped after 400 keys")
                .hasMessageContaining("it needed 40 KB, the others held 64 KB")
                .hasMessageContaining("the listings this scanner runs at once would hold more than 100 KB");
        first.release();
        first.release(); // once only
        second.release();
        assertThat(memory.reserved()).isZero();
        first.use(10, 1); // after its release a listing reserves nothing more
        assertThat(memory.reserved()).isZero();
    }

    @Test
    void aListingAloneIsNeverRefusedByTheScannersBudget() {
        KeyScanOptions options = KeyScanOptions.builder().distinctMemoryLimit(Runtime.getRuntime().maxMemory()).build();
        assertThat(ScannerMemory.forOptions(options).limit()).isEqualTo(Runtime.getRuntime().maxMemory());
        assertThat(ScannerMemory.forOptions(KeyScanOptions.builder().build()).limit())
                .isEqualTo(Runtime.getRuntime().maxMemory() / 4 * 3);
    }

    @Test
    void aStreamThatWouldTakeTheScannersListingsPastTheLimitFailsAndAnEndedOneGivesItsShareBack() {
        List<String> keys = keys(5000);
        TableNode node = new TableNode(12, keys, 21);
        // enough for one stream's fingerprints of 5,000 keys (64 tables of 128 slots, 128 KB, reserved in 64 KB
        // chunks), not for two
        ScannerMemory memory = new ScannerMemory(200 * 1024);
        DefaultKeyScanner scanner = scanner(node, memory);

        StepVerifier.create(scanner.scan("*"), 0)
                .thenRequest(4_000)
                .expectNextCount(4_000)
                .then(() -> {
                    assertThat(memory.reserved()).isPositive();
                    // a second stream while the first holds its keys: refused, its share given back
                    StepVerifier.create(scanner.scan("*"))
                            .thenConsumeWhile(key -> true)
                            .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                                    .hasMessageContaining("the listings this scanner runs at once"))
                            .verify();
                })
                .thenCancel()
                .verify();
        assertThat(memory.reserved()).as("both shares given back").isZero();

        StepVerifier.create(scanner.scan("*").count()).expectNext(5_000L).verifyComplete();
        assertThat(memory.reserved()).isZero();
    }

    @Test
    void aCollectedListingCountsUntilItsResultIsDelivered() {
        List<String> keys = keys(5000);
        ScannerMemory memory = new ScannerMemory(64 * 1024); // less than 5,000 collected keys take
        DefaultKeyScanner scanner = scanner(new TableNode(12, keys, 22), memory);

        StepVerifier.create(scanner.fetchKeys("*"))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                        .hasMessageContaining("the listings this scanner runs at once"))
                .verify();
        assertThat(memory.reserved()).isZero();
    }
}
