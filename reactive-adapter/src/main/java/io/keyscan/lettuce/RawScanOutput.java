package io.keyscan.lettuce;

import io.keyscan.spi.ScanPage;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.CommandOutput;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a SCAN reply ({@code [cursor, [key, ...]]}) keeping every key's bytes exactly as sent, so that no key
 * is altered by decoding. The first bulk string is the cursor, every later one a key.
 */
final class RawScanOutput extends CommandOutput<String, String, ScanPage> {

    private String cursor;
    private final List<byte[]> keys = new ArrayList<>();

    RawScanOutput() {
        super(StringCodec.UTF8, null);
    }

    @Override
    public void set(ByteBuffer bytes) {
        if (cursor == null) {
            cursor = bytes == null ? null : StandardCharsets.US_ASCII.decode(bytes).toString();
            return;
        }
        keys.add(RawKeysOutput.copy(bytes));
    }

    @Override
    public void multi(int count) {
        if (cursor != null && count > 0 && keys.isEmpty()) {
            ((ArrayList<byte[]>) keys).ensureCapacity(count);
        }
    }

    /**
     * The page, or {@code null} when the reply held no cursor: an error reply, which Lettuce reports through
     * {@link #hasError()} after calling this. Throwing here instead would leave the command uncompleted.
     */
    @Override
    public ScanPage get() {
        return cursor == null ? null : ScanPage.of(cursor, keys);
    }
}
