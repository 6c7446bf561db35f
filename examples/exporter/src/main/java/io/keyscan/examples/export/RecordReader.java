package io.keyscan.examples.export;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Reads an export file record by record: lines split at {@code \n} on the bytes as they come, each at most
 * {@code maxLineBytes} long, checked to be UTF-8 text (no NUL byte, no invalid sequence) and parsed with Jackson's
 * streaming parser ({@link JsonReader}). Memory is bounded by the longest line allowed: a longer line is refused
 * once that many bytes were read, whatever follows. Every refusal is a {@link BadRecord} naming the line and why.
 */
final class RecordReader implements Closeable {

    /** A line that is not a record: its number (from 1) and what is wrong with it. */
    static final class BadRecord extends Exception {
        private static final long serialVersionUID = 1L;

        private final long line;

        BadRecord(long line, String reason, @Nullable Throwable cause) {
            super(reason, cause);
            this.line = line;
        }

        long line() {
            return line;
        }
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] chunk = new byte[1 << 16];
    private int chunkStart;
    private int chunkEnd;
    private boolean ended;
    private byte[] line = new byte[1 << 12];
    private int lineLength;
    private long lineNumber;

    RecordReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The number of the line read last (from 1); 0 before the first. */
    long lineNumber() {
        return lineNumber;
    }

    /**
     * The next line's JSON value, or null after the last line.
     *
     * @throws BadRecord if the line is too long, binary, not UTF-8 or not JSON
     * @throws IOException if the input cannot be read
     */
    @Nullable Object next() throws IOException, BadRecord {
        Boolean terminated = readLine();
        if (terminated == null) {
            return null;
        }
        String cut = terminated ? "" : " (the input ends inside this line, without a newline: cut short?)";
        for (int i = 0; i < lineLength; i++) {
            if (line[i] == 0) {
                throw new BadRecord(lineNumber, "binary data, not an export line: a NUL byte at column " + (i + 1),
                        null);
            }
        }
        int invalid = Utf8.firstInvalid(line, 0, lineLength);
        if (invalid >= 0) {
            throw new BadRecord(lineNumber, String.format(Locale.ROOT, "not UTF-8 text: byte 0x%02x at column %d "
                    + "starts no valid UTF-8 sequence%s", line[invalid] & 0xff, invalid + 1, cut), null);
        }
        try {
            return JsonReader.parse(line, 0, lineLength);
        } catch (IllegalArgumentException e) {
            throw new BadRecord(lineNumber, e.getMessage() + cut, e);
        }
    }

    /**
     * Reads the next line into {@link #line}, without its {@code \n}.
     *
     * @return whether it ended with {@code \n}; null at the end of the input
     */
    private @Nullable Boolean readLine() throws IOException, BadRecord {
        lineLength = 0;
        boolean any = false;
        while (true) {
            if (chunkStart == chunkEnd) {
                int n = ended ? -1 : in.read(chunk);
                if (n < 0) {
                    ended = true;
                    return any ? Boolean.FALSE : null;
                }
                chunkStart = 0;
                chunkEnd = n;
                continue;
            }
            if (!any) {
                any = true;
                lineNumber++;
            }
            int end = chunkStart;
            while (end < chunkEnd && chunk[end] != '\n') {
                end++;
            }
            append(end - chunkStart);
            boolean newline = end < chunkEnd;
            chunkStart = newline ? end + 1 : end;
            if (newline) {
                return Boolean.TRUE;
            }
        }
    }

    private void append(int count) throws BadRecord {
        if ((long) lineLength + count > maxLineBytes) {
            throw new BadRecord(lineNumber, String.format(Locale.ROOT, "longer than the maximum line size, %,d bytes "
                    + "(--max-line-size; a line takes about four times its size in heap)", maxLineBytes), null);
        }
        if (lineLength + count > line.length) {
            line = Arrays.copyOf(line, (int) Math.min(maxLineBytes, Math.max(lineLength + count, 2L * line.length)));
        }
        System.arraycopy(chunk, chunkStart, line, lineLength, count);
        lineLength += count;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
