package io.keyscan.testkit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of {@code SLOWLOG GET}.
 *
 * @param micros how long the server spent executing the command
 * @param args the command and its arguments, as the server recorded them
 */
public record SlowlogEntry(long micros, List<String> args) {

    /** The command name in upper case, e.g. {@code KEYS}. */
    public String command() {
        return args.isEmpty() ? "" : args.get(0).toUpperCase(java.util.Locale.ROOT);
    }

    static SlowlogEntry parse(List<?> raw) {
        long micros = ((Number) raw.get(2)).longValue();
        List<String> args = new ArrayList<>();
        for (Object arg : (List<?>) raw.get(3)) {
            args.add(arg instanceof ByteBuffer ? StandardCharsets.UTF_8.decode((ByteBuffer) arg).toString()
                    : String.valueOf(arg));
        }
        return new SlowlogEntry(micros, args);
    }
}
