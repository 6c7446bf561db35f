package io.keyscan;

/**
 * Redis Cluster's hash slots: which of the 16,384 slots a key belongs to, and where a cluster node's SCAN cursor
 * says it is.
 *
 * <p>A key's slot is {@code CRC16(key) mod 16384} (CRC-16/XMODEM), hashing only the part between the key's first
 * {@code {}} and the next {@code }} when that part is not empty ({@code cluster.c keyHashSlot}).
 *
 * <p>A cluster node that keeps one hash table per slot ({@code kvstore.c}: Redis 7.4+, Valkey 8+) walks the slots in
 * increasing order and puts the slot it is in into the cursor's low 14 bits ({@code addDictIndexToCursor}), the
 * position inside that slot's table above them. Whether a node does is never assumed: {@link SlotCursorEvidence}
 * decides it from the node's replies.
 */
final class ClusterSlots {

    /** Slots of a Redis Cluster. */
    static final int SLOTS = 16_384;

    /** Bits of a per-slot cursor that hold the slot. */
    static final int SLOT_BITS = 14;

    private static final int SLOT_MASK = SLOTS - 1;

    private static final int[] CRC16_TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            CRC16_TABLE[i] = crc & 0xFFFF;
        }
    }

    private ClusterSlots() {
    }

    /** {@return the hash slot of {@code key}} */
    static int of(byte[] key) {
        int from = 0;
        int to = key.length;
        for (int open = 0; open < key.length; open++) {
            if (key[open] == '{') {
                for (int close = open + 1; close < key.length; close++) {
                    if (key[close] == '}') {
                        if (close > open + 1) {
                            from = open + 1;
                            to = close;
                        }
                        break;
                    }
                }
                break;
            }
        }
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc = ((crc << 8) ^ CRC16_TABLE[((crc >>> 8) ^ key[i]) & 0xFF]) & 0xFFFF;
        }
        return crc & SLOT_MASK;
    }

    /** {@return the slot a per-slot cursor is in} For cursor {@code 0} (the start or the end) that is slot 0. */
    static int slotOf(String cursor) {
        return (int) (Long.parseUnsignedLong(cursor) & SLOT_MASK);
    }

    /** {@return the cursor that starts {@code slot}'s table: position 0 of it} */
    static String startOf(int slot) {
        return Integer.toString(slot);
    }
}
