package io.keyscan.examples.export;

/** Keys in messages. */
final class Keys {

    private static final int MAX_SHOWN = 200;

    private Keys() {
    }

    /**
     * {@code key} quoted, printable ASCII as is and every other byte as {@code \xNN}, so that a message names the
     * exact bytes (a key with a newline or invalid UTF-8 included) on one line; long keys are cut.
     */
    static String show(byte[] key) {
        StringBuilder shown = new StringBuilder("\"");
        for (int i = 0; i < key.length; i++) {
            if (shown.length() > MAX_SHOWN) {
                shown.append("...(").append(key.length).append(" bytes)");
                break;
            }
            int b = key[i] & 0xff;
            if (b == '"' || b == '\\') {
                shown.append('\\').append((char) b);
            } else if (b >= 0x20 && b < 0x7f) {
                shown.append((char) b);
            } else {
                shown.append(String.format("\\x%02x", b));
            }
        }
        return shown.append('"').toString();
    }
}
