package io.keyscan.examples.export;

/**
 * Strict UTF-8 validation: exactly the byte strings that decode to Unicode text and encode back to the same bytes.
 * Overlong forms, UTF-16 surrogates (ED A0..BF xx) and code points above U+10FFFF are invalid, as the JDK's
 * decoder says; a byte string that passes can be written into JSON as text and read back byte for byte.
 */
final class Utf8 {

    private Utf8() {
    }

    static boolean isValid(byte[] bytes) {
        return firstInvalid(bytes, 0, bytes.length) < 0;
    }

    /** The index of the first byte of {@code bytes[from..to)} that starts no valid UTF-8 sequence, or -1 if none. */
    static int firstInvalid(byte[] bytes, int from, int to) {
        int i = from;
        int n = to;
        while (i < n) {
            int b = bytes[i];
            if (b >= 0) { // ASCII: the common case
                i++;
                continue;
            }
            b &= 0xff;
            if (b >= 0xc2 && b <= 0xdf) {
                if (i + 1 >= n || !continuation(bytes[i + 1])) {
                    return i;
                }
                i += 2;
            } else if (b >= 0xe0 && b <= 0xef) {
                if (i + 2 >= n) {
                    return i;
                }
                int b1 = bytes[i + 1] & 0xff;
                int low = b == 0xe0 ? 0xa0 : 0x80; // E0 80..9F would be overlong
                int high = b == 0xed ? 0x9f : 0xbf; // ED A0..BF would be a surrogate
                if (b1 < low || b1 > high || !continuation(bytes[i + 2])) {
                    return i;
                }
                i += 3;
            } else if (b >= 0xf0 && b <= 0xf4) {
                if (i + 3 >= n) {
                    return i;
                }
                int b1 = bytes[i + 1] & 0xff;
                int low = b == 0xf0 ? 0x90 : 0x80; // F0 80..8F would be overlong
                int high = b == 0xf4 ? 0x8f : 0xbf; // F4 90.. would be above U+10FFFF
                if (b1 < low || b1 > high || !continuation(bytes[i + 2]) || !continuation(bytes[i + 3])) {
                    return i;
                }
                i += 4;
            } else {
                return i; // a continuation byte out of place, C0, C1, F5..FF
            }
        }
        return -1;
    }

    private static boolean continuation(byte b) {
        return (b & 0xc0) == 0x80;
    }
}
