package io.keyscan.lettuce;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.CommandOutput;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Reads an MGET reply keeping every value's bytes exactly as sent; {@code null} for a missing one. */
final class RawValuesOutput extends CommandOutput<String, String, List<byte[]>> {

    RawValuesOutput() {
        super(StringCodec.UTF8, new ArrayList<>());
    }

    @Override
    public void set(ByteBuffer bytes) {
        output.add(bytes == null ? null : RawKeysOutput.copy(bytes));
    }

    @Override
    public void multi(int count) {
        ((ArrayList<byte[]>) output).ensureCapacity(count);
    }
}
