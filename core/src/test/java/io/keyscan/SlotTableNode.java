package io.keyscan;

import io.keyscan.spi.ScanPage;
import io.keyscan.spi.ScanRequest;
import io.keyscan.spi.ServerInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * A cluster node process as SCAN sees it. With {@code tablePerSlot}, as {@code kvstore.c} walks it (Redis 7.4+,
 * Valkey 8+): slot by slot in increasing order, the slot in the cursor's low 14 bits and the position inside the
 * slot's table above them. Without, one table for all slots (Redis 7.0): keys of every slot mixed, in an order
 * of the process' own. Each process orders its keys with its own seed, so a cursor means nothing to another
 * process. It can be killed: every later command fails, as a connection to a dead server does.
 */
final class SlotTableNode extends ScanOnlyNode {

    private final String id;
    private final BitSet slots;
    private final boolean tablePerSlot;
    private final String runId;
    /** Per slot, its keys in this process' order. */
    private final TreeMap<Integer, List<String>> bySlot = new TreeMap<>();
    private final List<String> oneTable = new ArrayList<>();
    private volatile boolean killed;
    final List<String> cursorsSent = new CopyOnWriteArrayList<>();
    final AtomicInteger keysReturned = new AtomicInteger();

    SlotTableNode(String id, BitSet slots, boolean tablePerSlot, long seed, Collection<String> keys) {
        this.id = id;
        this.slots = slots;
        this.tablePerSlot = tablePerSlot;
        this.runId = "run-" + id + "-" + seed;
        Random random = new Random(seed);
        for (String key : keys) {
            int slot = ClusterSlots.of(key.getBytes(StandardCharsets.UTF_8));
            if (slots.get(slot)) {
                bySlot.computeIfAbsent(slot, s -> new ArrayList<>()).add(key);
                oneTable.add(key);
            }
        }
        bySlot.values().forEach(list -> Collections.shuffle(list, random));
        Collections.shuffle(oneTable, random);
    }

    /** The same keys on another process (a promoted replica, a restart): another id, seed and run id. */
    SlotTableNode successor(String newId, boolean newTablePerSlot, long seed) {
        List<String> keys = new ArrayList<>(oneTable);
        return new SlotTableNode(newId, slots, newTablePerSlot, seed, keys);
    }

    void kill() {
        killed = true;
    }

    @Override
    public String address() {
        return "10.0.0.1:" + id;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public BitSet slots() {
        return (BitSet) slots.clone();
    }

    @Override
    public Mono<ServerInfo> serverInfo() {
        return Mono.defer(() -> killed ? Mono.error(new IOException("Connection refused: " + id))
                : Mono.just(ServerInfo.of(runId, "redis", "8.6.3", "cluster")));
    }

    @Override
    public Mono<ScanPage> scan(ScanRequest request) {
        return Mono.defer(() -> {
            if (killed) {
                return Mono.error(new IOException("Connection refused: " + id));
            }
            cursorsSent.add(request.cursor());
            ScanPage page = tablePerSlot ? perSlot(Long.parseLong(request.cursor()), request.count())
                    : oneTable(Integer.parseInt(request.cursor()), request.count());
            // MATCH: the patterns of these tests are a literal prefix and '*'
            String pattern = new String(request.match(), StandardCharsets.UTF_8);
            String prefix = pattern.substring(0, pattern.length() - 1);
            List<byte[]> matching = new ArrayList<>();
            for (byte[] key : page.keys()) {
                if (new String(key, StandardCharsets.UTF_8).startsWith(prefix)) {
                    matching.add(key);
                }
            }
            keysReturned.addAndGet(matching.size());
            return Mono.just(ScanPage.of(page.cursor(), matching));
        });
    }

    private ScanPage perSlot(long cursor, int count) {
        int slot = (int) (cursor & (ClusterSlots.SLOTS - 1));
        int position = (int) (cursor >>> ClusterSlots.SLOT_BITS);
        List<byte[]> keys = new ArrayList<>();
        Integer current = bySlot.ceilingKey(slot);
        if (current != null && current != slot) {
            position = 0;
        }
        while (current != null && keys.size() < count) {
            List<String> slotKeys = bySlot.get(current);
            while (position < slotKeys.size() && keys.size() < count) {
                keys.add(slotKeys.get(position++).getBytes(StandardCharsets.UTF_8));
            }
            if (position < slotKeys.size()) {
                return ScanPage.of(Long.toString(((long) position << ClusterSlots.SLOT_BITS) | current), keys);
            }
            current = bySlot.higherKey(current);
            position = 0;
        }
        return ScanPage.of(current == null ? "0" : Long.toString(current), keys);
    }

    private ScanPage oneTable(int position, int count) {
        int end = Math.min(oneTable.size(), position + count);
        List<byte[]> keys = new ArrayList<>();
        for (int i = position; i < end; i++) {
            keys.add(oneTable.get(i).getBytes(StandardCharsets.UTF_8));
        }
        return ScanPage.of(end == oneTable.size() ? "0" : Integer.toString(end), keys);
    }
}
