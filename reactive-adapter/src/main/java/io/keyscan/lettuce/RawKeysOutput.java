package io.keyscan.lettuce;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.CommandOutput;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Reads a KEYS reply keeping every key's bytes exactly as sent. */
final class RawKeysOutput extends CommandOutput<String, String, List<byte[]>> {

    RawKeysOutput() {
        super(StringCodec.UTF8, new ArrayList<>());
    }

    @Override
    public void set(ByteBuffer bytes) {
        output.add(copy(bytes));
    }

    @Override
    public void multi(int count) {
        ((ArrayList<byte[]>) output).ensureCapacity(count);
    }

    static byte[] copy(ByteBuffer bytes) {
        if (bytes == null) {
            return new byte[0];
        }
        byte[] key = new byte[bytes.remaining()];
        bytes.get(key);
        return key;
    }
}
