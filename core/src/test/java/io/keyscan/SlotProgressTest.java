package io.keyscan;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.spi.ScanNode;
import io.keyscan.testkit.LogCapture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * A cluster shard whose process is replaced in the middle of a listing (a replica promoted after its master died),
 * over scripted processes: the engine follows the shard to the promoted node, and resumes at the slot in progress
 * only where both processes' replies show a cursor that carries the slot.
 */
class SlotProgressTest {

    private static final int KEYS = 6_000;

    private static final KeyScanOptions OPTIONS = KeyScanOptions.builder()
            .useScan(true)
            .scanCountAutoTune(false)
            .scanCount(100)
            .commandTimeout(Duration.ofSeconds(1))
            .retryMaxAttempts(6)
            .retryFirstBackoff(Duration.ofMillis(100))
            .retryMaxBackoff(Duration.ofSeconds(1))
            .build();

    private static List<String> keys() {
        List<String> keys = new ArrayList<>(KEYS);
        for (int i = 0; i < KEYS; i++) {
            keys.add("key:" + i);
        }
        return keys;
    }

    private static BitSet allSlots() {
        BitSet slots = new BitSet();
        slots.set(0, ClusterSlots.SLOTS);
        return slots;
    }

    private static int fullestSlot(List<String> keys) {
        Map<Integer, Integer> perSlot = new HashMap<>();
        for (String key : keys) {
            perSlot.merge(ClusterSlots.of(key.getBytes(StandardCharsets.UTF_8)), 1, Integer::sum);
        }
        return perSlot.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** A keyspace whose one shard is on {@code topology}'s node: the tests swap it to fail over. */
    private static DefaultKeyScanner scanner(AtomicReference<ScanNode> topology) {
        ScriptedKeyspace keyspace = new ScriptedKeyspace() {
            @Override
            public Mono<List<ScanNode>> nodes() {
                return Mono.fromSupplier(() -> List.of(topology.get()));
            }

            @Override
            public Mono<ScanNode> nodeForKey(byte[] key) {
                return Mono.fromSupplier(topology::get);
            }
        };
        return new DefaultKeyScanner(keyspace, OPTIONS, () -> 0.5);
    }

    /**
     * Lists half the keys on {@code master}, kills it and promotes {@code promoted}, then lists the rest.
     *
     * @return the keys the listing emitted
     */
    private static List<String> failOverAtHalf(SlotTableNode master, SlotTableNode promoted) {
        return failOverAtHalf(master, promoted, "key:*");
    }

    private static List<String> failOverAtHalf(SlotTableNode master, SlotTableNode promoted, String pattern) {
        AtomicReference<ScanNode> topology = new AtomicReference<>(master);
        List<String> listed = new ArrayList<>();
        StepVerifier.withVirtualTime(() -> scanner(topology).scan(pattern).doOnNext(listed::add), 0)
                .thenRequest(KEYS / 2)
                .expectNextCount(KEYS / 2)
                .then(() -> {
                    master.kill();
                    topology.set(promoted);
                })
                .thenRequest(Long.MAX_VALUE)
                .thenAwait(Duration.ofMinutes(1))
                .thenConsumeWhile(key -> true)
                .verifyComplete();
        return listed;
    }

    @Test
    void aPromotedReplicaWithATablePerSlotIsListedFromTheSlotInProgress() {
        List<String> data = keys();
        SlotTableNode master = new SlotTableNode("A", allSlots(), true, 1, data);
        SlotTableNode promoted = master.successor("B", true, 2);

        try (LogCapture logs = LogCapture.keyscan()) {
            List<String> listed = failOverAtHalf(master, promoted);

            assertThat(new HashSet<>(listed)).as("every key").isEqualTo(new HashSet<>(data));
            assertThat(listed).as("each once").hasSize(KEYS);
            int readTwice = master.keysReturned.get() + promoted.keysReturned.get() - KEYS;
            assertThat(readTwice).as("keys read twice: at most the slot in progress")
                    .isLessThanOrEqualTo(fullestSlot(data));
            assertThat(logs.messages()).anyMatch(line -> line.contains("Shard of slot 0 moved from 10.0.0.1:A to "
                    + "10.0.0.1:B"));
            assertThat(logs.warnings()).anyMatch(line -> line.contains("from the start of the slot in progress"));
        }
        // B is asked which process it is before A's cursor would go to it, and is walked from position 0 of the
        // slot that was in progress; the listing ends there (no second round)
        String resumed = promoted.cursorsSent.get(0);
        assertThat(resumed).isEqualTo(Integer.toString(ClusterSlots.slotOf(resumed)));
        assertThat(Integer.parseInt(resumed)).isGreaterThan(0);
        assertThat(promoted.cursorsSent).doesNotContain("0");
    }

    @Test
    void aShardWithOneTableForAllSlotsIsListedAgainFromCursorZero() {
        List<String> data = keys();
        SlotTableNode master = new SlotTableNode("A", allSlots(), false, 1, data);
        SlotTableNode promoted = master.successor("B", false, 2);

        List<String> listed = failOverAtHalf(master, promoted);

        assertThat(new HashSet<>(listed)).isEqualTo(new HashSet<>(data));
        assertThat(listed).hasSize(KEYS);
        assertThat(promoted.cursorsSent.get(0)).as("from cursor 0, A's cursor never sent to B").isEqualTo("0");
        assertThat(promoted.keysReturned.get()).as("the whole shard again, once").isEqualTo(KEYS);
    }

    @Test
    void aPromotedReplicaWithOneTableIsListedAgainInFullAfterTheResumption() {
        // a rolling upgrade the other way round: the promoted node does not keep a table per slot
        List<String> data = keys();
        SlotTableNode master = new SlotTableNode("A", allSlots(), true, 1, data);
        SlotTableNode promoted = master.successor("B", false, 2);

        try (LogCapture logs = LogCapture.keyscan()) {
            List<String> listed = failOverAtHalf(master, promoted);

            assertThat(new HashSet<>(listed)).as("nothing lost").isEqualTo(new HashSet<>(data));
            assertThat(listed).hasSize(KEYS);
            assertThat(logs.warnings()).anyMatch(line -> line.contains("does not show a cursor that carries the slot")
                    || line.contains("did not show by the end of its walk"));
        }
        assertThat(promoted.cursorsSent).as("resumed at the slot, then walked in full").contains("0");
    }

    @Test
    void keysOfASingleSlotNeverConfirmTheLayout() {
        // every key in one slot: nothing tells the two layouts apart, so the shard is listed again from 0
        List<String> data = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            data.add("{user1}:" + i);
        }
        SlotTableNode master = new SlotTableNode("A", allSlots(), true, 1, data);
        SlotTableNode promoted = master.successor("B", true, 2);
        Set<String> listed = new HashSet<>(failOverAtHalf(master, promoted, "{user1}:*"));
        assertThat(listed).isEqualTo(new HashSet<>(data));
        assertThat(promoted.cursorsSent.get(0)).isEqualTo("0");
    }

    private static BitSet slots(int from, int to) {
        BitSet slots = new BitSet();
        slots.set(from, to + 1);
        return slots;
    }

    /** A keyspace answering its first {@code nodes()} with {@code first}, every later one with {@code then}. */
    private static ScriptedKeyspace changing(List<ScanNode> first, List<ScanNode> then) {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        return new ScriptedKeyspace() {
            @Override
            public Mono<List<ScanNode>> nodes() {
                return Mono.fromSupplier(() -> asked.getAndIncrement() == 0 ? first : then);
            }
        };
    }

    @Test
    void aNodeWhoseCursorCarriesTheSlotIsWalkedInParallelSlotRanges() {
        List<String> data = keys();
        SlotTableNode node = new SlotTableNode("A", allSlots(), true, 1, data);
        KeyScanOptions parallel = KeyScanOptions.builder().useScan(true).scanCountAutoTune(false).scanCount(100)
                .scanParallelism(4).build();

        StepVerifier.create(new DefaultKeyScanner(new ScriptedKeyspace(node), parallel, () -> 0.5).fetchKeys("key:*"))
                .assertNext(keys -> assertThat(keys).hasSize(KEYS).containsExactlyInAnyOrderElementsOf(data))
                .verifyComplete();
        // the first page confirmed the layout; 3 more ranges start at position 0 of their first slot
        List<String> rangeStarts = node.cursorsSent.stream()
                .filter(cursor -> !cursor.equals("0") && Long.parseLong(cursor) < ClusterSlots.SLOTS).toList();
        assertThat(rangeStarts).hasSizeGreaterThanOrEqualTo(3);
        // a SCAN call that finishes a range's last slot goes on into the next range's first slots (keys dropped)
        assertThat(node.keysReturned.get() - KEYS).as("at most a page per range boundary read twice")
                .isLessThanOrEqualTo(3 * 100);
    }

    @Test
    void slotRangesAreCutOnceTheRepliesShowTheLayoutEvenWhenTheFirstPageDoesNot() {
        // 10 keys in each of 200 slots, 20 a page: the first page holds 2 slots, the 8th page the 16th
        List<String> data = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            data.add("key:{" + i % 200 + "}:" + i);
        }
        SlotTableNode node = new SlotTableNode("A", allSlots(), true, 1, data);
        KeyScanOptions parallel = KeyScanOptions.builder().useScan(true).scanCountAutoTune(false).scanCount(20)
                .scanParallelism(4).build();

        try (LogCapture logs = LogCapture.keyscan()) {
            StepVerifier.create(new DefaultKeyScanner(new ScriptedKeyspace(node), parallel, () -> 0.5)
                            .fetchKeys("key:*"))
                    .assertNext(keys -> assertThat(keys).containsExactlyInAnyOrderElementsOf(data))
                    .verifyComplete();
            assertThat(logs.messages()).anyMatch(line -> line.contains("with 4 cursor ranges"));
        }
    }

    @Test
    void aNodeWithOneTableIsWalkedByOneCursorWhateverTheParallelism() {
        List<String> data = keys();
        SlotTableNode node = new SlotTableNode("A", allSlots(), false, 1, data);
        KeyScanOptions parallel = KeyScanOptions.builder().useScan(true).scanCountAutoTune(false).scanCount(100)
                .scanParallelism(4).build();

        StepVerifier.create(new DefaultKeyScanner(new ScriptedKeyspace(node), parallel, () -> 0.5).fetchKeys("key:*"))
                .assertNext(keys -> assertThat(keys).hasSize(KEYS))
                .verifyComplete();
        List<String> expected = new ArrayList<>();
        for (int position = 0; position < KEYS; position += 100) {
            expected.add(Integer.toString(position));
        }
        assertThat(node.cursorsSent).isEqualTo(expected);
    }

    @Test
    void slotsANodeGainedDuringTheListingAreTheOnlyOnesListedAgainThere() {
        // slots 8001-8191 move from A to B while both are listed: B is listed again for those slots only
        List<String> data = keys();
        SlotTableNode a = new SlotTableNode("A", slots(0, 8191), true, 1, data);
        SlotTableNode b = new SlotTableNode("B", slots(8192, 16383), true, 2, data);
        SlotTableNode aAfter = new SlotTableNode("A", slots(0, 8000), true, 1, data);
        SlotTableNode bAfter = new SlotTableNode("B", slots(8001, 16383), true, 2, data); // same process as b
        ScriptedKeyspace keyspace = changing(List.of(a, b), List.of(aAfter, bAfter));

        for (boolean collect : List.of(true, false)) {
            DefaultKeyScanner scanner = new DefaultKeyScanner(keyspace, OPTIONS, () -> 0.5);
            StepVerifier.create(collect ? scanner.fetchKeys("key:*") : scanner.scan("key:*").collectList())
                    .assertNext(keys -> assertThat(keys).containsExactlyInAnyOrderElementsOf(data))
                    .verifyComplete();
            assertThat(bAfter.cursorsSent.get(0)).as("from the first gained slot").isEqualTo("8001");
            long gained = data.stream()
                    .filter(key -> slots(8001, 8191).get(ClusterSlots.of(key.getBytes(StandardCharsets.UTF_8))))
                    .count();
            assertThat(bAfter.keysReturned.get()).as("the gained slots' keys, and at most a page beyond them")
                    .isBetween((int) gained, (int) gained + OPTIONS.scanCount());
            assertThat(aAfter.cursorsSent).as("A lost slots: not listed again").isEmpty();
            bAfter.cursorsSent.clear();
            bAfter.keysReturned.set(0);
            keyspace = changing(List.of(a, b), List.of(aAfter, bAfter));
        }
    }

    @Test
    void slotsGainedByANodeNotKnownToKeepATablePerSlotMeanListingAllOfIt() {
        List<String> data = keys();
        SlotTableNode a = new SlotTableNode("A", slots(0, 8191), false, 1, data);
        SlotTableNode b = new SlotTableNode("B", slots(8192, 16383), false, 2, data);
        SlotTableNode aAfter = new SlotTableNode("A", slots(0, 8000), false, 1, data);
        SlotTableNode bAfter = new SlotTableNode("B", slots(8001, 16383), false, 2, data);

        StepVerifier.create(new DefaultKeyScanner(changing(List.of(a, b), List.of(aAfter, bAfter)), OPTIONS,
                        () -> 0.5).fetchKeys("key:*"))
                .assertNext(keys -> assertThat(keys).containsExactlyInAnyOrderElementsOf(data))
                .verifyComplete();
        assertThat(bAfter.cursorsSent.get(0)).as("from cursor 0: the whole node").isEqualTo("0");
        assertThat(bAfter.cursorsSent).doesNotContain("8001");
    }

    @Test
    void aPatternThatFixesAHashTagIsNotCutIntoSlotRanges() {
        List<String> data = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            data.add(i % 2 == 0 ? "{user1}:" + i : "key:" + i);
        }
        SlotTableNode node = new SlotTableNode("A", allSlots(), true, 1, data);
        KeyScanOptions parallel = KeyScanOptions.builder().useScan(true).scanCountAutoTune(false).scanCount(100)
                .scanParallelism(4).build();
        DefaultKeyScanner scanner = new DefaultKeyScanner(new ScriptedKeyspace(node), parallel, () -> 0.5);
        // a first listing shows the node keeps a table per slot
        StepVerifier.create(scanner.fetchKeys("key:*")).expectNextCount(1).verifyComplete();
        node.cursorsSent.clear();

        StepVerifier.create(scanner.fetchKeys("{user1}:*"))
                .assertNext(keys -> assertThat(keys).hasSize(KEYS / 2))
                .verifyComplete();
        assertThat(node.cursorsSent).first().isEqualTo("0");
        // one cursor: its slot never goes back (ranges in parallel would interleave their slots)
        for (int i = 1; i < node.cursorsSent.size(); i++) {
            assertThat(ClusterSlots.slotOf(node.cursorsSent.get(i))).as("one cursor, walking on")
                    .isGreaterThanOrEqualTo(ClusterSlots.slotOf(node.cursorsSent.get(i - 1)));
        }
    }
}
