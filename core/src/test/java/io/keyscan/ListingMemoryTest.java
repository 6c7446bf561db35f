package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** {@code distinctMemoryLimit}: listings fail at the limit, at once and with no further command; results move off I/O. */
class ListingMemoryTest {

    private static final int PAGES = 200;
    private static final int PAGE_KEYS = 100;
    private static final long LIMIT = 64 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Scheduler io = Schedulers.newSingle("fake-io");

    @AfterEach
    void dispose() {
        io.dispose();
    }

    /** 20,000 keys in 200 pages of 100, delivered on "fake-io" as a client's event loop would deliver them. */
    private ScriptedNode node() {
        List<List<String>> pages = new ArrayList<>();
        for (int p = 0; p < PAGES; p++) {
            List<String> page = new ArrayList<>();
            for (int k = 0; k < PAGE_KEYS; k++) {
                page.add(String.format("k:%03d:%03d", p, k));
            }
            pages.add(page);
        }
        ScriptedNode node = new ScriptedNode().pages(pages).deliverOn(io);
        List<byte[]> all = new ArrayList<>();
        for (List<String> page : pages) {
            all.addAll(ScriptedNode.bytes(page));
        }
        node.keysReply(reactor.core.publisher.Mono.just(all));
        return node;
    }

    private static KeyScanOptions.Builder options() {
        return KeyScanOptions.builder().useScan(true).scanCountAutoTune(false).scanParallelism(1);
    }

    private static DefaultKeyScanner scanner(ScriptedNode node, KeyScanOptions options) {
        return new DefaultKeyScanner(new ScriptedKeyspace(node), options, () -> 0.5);
    }

    @Test
    void aDistinctScanFailsWhenItsFingerprintsWouldPassTheLimitAndSendsNoFurtherScan() {
        ScriptedNode node = node();
        List<String> emitted = new ArrayList<>();
        StepVerifier.create(scanner(node, options().distinctMemoryLimit(LIMIT).build()).scan("k:*"))
                .recordWith(() -> emitted)
                .thenConsumeWhile(key -> true)
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                        .hasMessageContaining("pattern 'k:*' stopped after ")
                        .hasMessageContaining("would take more than distinctMemoryLimit (64 KB)")
                        .hasMessageContaining("Raise distinctMemoryLimit (KEYSCAN_DISTINCT_MEMORY_LIMIT")
                        .hasMessageContaining("set distinctScan=false"))
                .verify(WAIT);
        int scans = node.scans.size();
        assertThat(emitted).as("keys emitted before the limit").isNotEmpty().hasSizeLessThan(PAGES * PAGE_KEYS / 2);
        // The pages asked for are those whose keys were emitted, and the one that passed the limit: none after.
        assertThat(scans).isLessThanOrEqualTo(emitted.size() / PAGE_KEYS + 2);
        assertThat(node.scans).as("no SCAN after the failure").hasSize(scans);
    }

    @Test
    void aScanWithoutDistinctIsNotBounded() {
        StepVerifier.create(scanner(node(), options().distinctMemoryLimit(LIMIT).distinctScan(false).build())
                        .scan("k:*").count())
                .expectNext((long) PAGES * PAGE_KEYS)
                .verifyComplete();
    }

    @Test
    void fetchKeysFailsWhenItsCollectedKeysWouldPassTheLimit() {
        ScriptedNode node = node();
        StepVerifier.create(scanner(node, options().distinctMemoryLimit(LIMIT).build()).fetchKeys("k:*"))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                        .hasMessageContaining("collecting, decoding and sorting the keys would take more than "
                                + "distinctMemoryLimit (64 KB)")
                        .hasMessageContaining("stream them with scan() and distinctScan=false"))
                .verify(WAIT);
        // 64 KB at 80 + 2 x 9 bytes a key: about 670 keys, in the 7th or 8th page; nothing asked after.
        assertThat(node.scans.size()).isBetween(6, 9);
    }

    @Test
    void theKeysPathIsBoundedToo() {
        StepVerifier.create(scanner(node(), options().useScan(false).distinctMemoryLimit(LIMIT).build())
                        .fetchKeys("k:*"))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(KeyScanException.class)
                        .hasMessageContaining("distinctMemoryLimit (64 KB)"))
                .verify(WAIT);
    }

    @Test
    void aListingUnderTheLimitCompletes() {
        StepVerifier.create(scanner(node(), options().distinctMemoryLimit(4L << 20).build()).fetchKeys("k:*"))
                .assertNext(keys -> assertThat(keys).hasSize(PAGES * PAGE_KEYS).isSorted())
                .verifyComplete();
    }

    @Test
    void theSortedResultArrivesOnTheResultSchedulerNotOnTheThreadOfTheLastPage() {
        AtomicReference<String> thread = new AtomicReference<>();
        StepVerifier.create(scanner(node(), options().build()).fetchKeys("k:*")
                        .doOnNext(keys -> thread.set(Thread.currentThread().getName())))
                .assertNext(keys -> assertThat(keys).hasSize(PAGES * PAGE_KEYS))
                .verifyComplete();
        assertThat(thread.get()).startsWith("parallel-");

        Scheduler results = Schedulers.newSingle("keyscan-results");
        try {
            for (boolean useScan : new boolean[] {true, false}) {
                StepVerifier.create(scanner(node(), options().useScan(useScan).resultScheduler(results).build())
                                .fetchKeys("k:*").doOnNext(keys -> thread.set(Thread.currentThread().getName())))
                        .expectNextCount(1)
                        .verifyComplete();
                assertThat(thread.get()).as("useScan=" + useScan).startsWith("keyscan-results");
            }
        } finally {
            results.dispose();
        }
    }

    @Test
    void theLimitIsReadFromTheEnvironmentAndChecked() {
        assertThat(KeyScanOptions.fromEnvironment(Map.of("KEYSCAN_DISTINCT_MEMORY_LIMIT", "64MB"))
                .distinctMemoryLimit()).isEqualTo(64L << 20);
        assertThat(KeyScanOptions.fromEnvironment(Map.of("KEYSCAN_DISTINCT_MEMORY_LIMIT", " 512kb "))
                .distinctMemoryLimit()).isEqualTo(512L << 10);
        assertThat(KeyScanOptions.fromEnvironment(Map.of("KEYSCAN_DISTINCT_MEMORY_LIMIT", "1048576"))
                .distinctMemoryLimit()).isEqualTo(1L << 20);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> KeyScanOptions.fromEnvironment(Map.of("KEYSCAN_DISTINCT_MEMORY_LIMIT", "64 MiB")))
                .withMessage("KEYSCAN_DISTINCT_MEMORY_LIMIT='64 MiB' is not valid: expected a size such as 64MB, "
                        + "512KB, 2GB or a number of bytes");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> KeyScanOptions.fromEnvironment(Map.of("KEYSCAN_DISTINCT_MEMORY_LIMIT", "1KB")))
                .withMessageStartingWith("KEYSCAN_DISTINCT_MEMORY_LIMIT='1KB' is not allowed: distinctMemoryLimit "
                        + "must be between 65536 bytes (64 KB) and");
        long quarterOfTheHeap = Math.max(KeyScanOptions.MIN_DISTINCT_MEMORY_LIMIT, Runtime.getRuntime().maxMemory() / 4);
        assertThat(KeyScanOptions.defaults().distinctMemoryLimit()).isEqualTo(quarterOfTheHeap);
        assertThat(KeyScanOptions.builder().distinctMemoryLimit(LIMIT).build().mutate().build().distinctMemoryLimit())
                .isEqualTo(LIMIT);
    }
}
