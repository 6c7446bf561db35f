package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lines split and checked before Jackson parses them: too long, binary, not UTF-8, cut short, not JSON. */
class RecordReaderTest {

    private static final String GOOD = "{\"key\":\"k\",\"type\":\"string\",\"ttl\":-1,\"value\":\"v\"}";

    private static RecordReader reader(byte[] input, int maxLineBytes) {
        return new RecordReader(new ByteArrayInputStream(input), maxLineBytes);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsLinesWithOrWithoutTheLastNewline() throws Exception {
        RecordReader lines = reader(utf8(GOOD + "\n" + GOOD + "\r\n" + "{\"é\":[1,2.5]}"), 1024);
        assertThat(lines.next()).isEqualTo(JsonReader.parse(GOOD));
        assertThat(lines.next()).isEqualTo(JsonReader.parse(GOOD));
        assertThat(lines.next()).isEqualTo(Map.of("é", List.of(1L, 2.5)));
        assertThat(lines.lineNumber()).isEqualTo(3);
        assertThat(lines.next()).isNull();
        assertThat(reader(new byte[0], 1024).next()).isNull();
    }

    @Test
    void aLineSplitAcrossReadsIsWhole() throws Exception {
        // one byte per read: every line crosses chunk boundaries
        InputStream trickle = new ByteArrayInputStream(utf8(GOOD + "\n" + GOOD + "\n")) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        RecordReader lines = new RecordReader(trickle, 1024);
        assertThat(lines.next()).isEqualTo(JsonReader.parse(GOOD));
        assertThat(lines.next()).isEqualTo(JsonReader.parse(GOOD));
        assertThat(lines.next()).isNull();
    }

    @Test
    void malformedJsonNamesTheLineAndColumn() throws Exception {
        RecordReader lines = reader(utf8(GOOD + "\n{\"key\":\"k\",}\n" + GOOD + "\n"), 1024);
        lines.next();
        assertThatThrownBy(lines::next).isInstanceOfSatisfying(RecordReader.BadRecord.class,
                bad -> assertThat(bad.line()).isEqualTo(2))
                .hasMessageStartingWith("malformed JSON at column 12");
    }

    @Test
    void aTruncatedLastLineSaysTheInputWasCut() throws Exception {
        String cut = GOOD.substring(0, GOOD.length() - 7);
        RecordReader lines = reader(utf8(GOOD + "\n" + cut), 1024);
        lines.next();
        assertThatThrownBy(lines::next).isInstanceOfSatisfying(RecordReader.BadRecord.class,
                bad -> assertThat(bad.line()).isEqualTo(2))
                .hasMessageContaining("malformed JSON").hasMessageContaining("Unexpected end-of-input")
                .hasMessageContaining("the input ends inside this line, without a newline: cut short?");
    }

    @Test
    void binaryDataIsRefused() throws Exception {
        byte[] withNul = utf8(GOOD + "\n" + "{\"key\":\"a\u0000b\"}\n");
        RecordReader lines = reader(withNul, 1024);
        lines.next();
        assertThatThrownBy(lines::next).isInstanceOfSatisfying(RecordReader.BadRecord.class,
                bad -> assertThat(bad.line()).isEqualTo(2))
                .hasMessage("binary data, not an export line: a NUL byte at column 10");
        byte[] random = new byte[4096];
        new java.util.Random(42).nextBytes(random);
        random[100] = 0;
        assertThatThrownBy(() -> reader(random, 1 << 20).next()).isInstanceOf(RecordReader.BadRecord.class)
                .hasMessageContaining("binary data");
    }

    @Test
    void invalidUtf8IsRefusedWithItsByte() throws Exception {
        byte[] latin1 = "{\"key\":\"caf\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> reader(latin1, 1024).next()).isInstanceOf(RecordReader.BadRecord.class)
                .hasMessage("not UTF-8 text: byte 0xe9 at column 12 starts no valid UTF-8 sequence");
        byte[] surrogate = {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'}; // CESU-8, not UTF-8
        assertThatThrownBy(() -> reader(surrogate, 1024).next()).hasMessageContaining("byte 0xed at column 2");
    }

    @Test
    void aLineLongerThanTheLimitIsRefusedBeforeItIsRead() throws Exception {
        // 100 MB of one line, generated as it is read: the reader holds at most the limit
        long huge = 100L << 20;
        InputStream endless = new InputStream() {
            private long left = huge;

            @Override
            public int read() {
                return left-- > 0 ? 'a' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'a');
                left -= n;
                return n;
            }
        };
        InputStream input = new SequenceInputStream(Collections.enumeration(List.of(
                new ByteArrayInputStream(utf8(GOOD + "\n\"")), endless)));
        RecordReader lines = new RecordReader(input, 1 << 20);
        assertThat(lines.next()).isNotNull();
        assertThatThrownBy(lines::next).isInstanceOfSatisfying(RecordReader.BadRecord.class,
                bad -> assertThat(bad.line()).isEqualTo(2))
                .hasMessageStartingWith("longer than the maximum line size, 1,048,576 bytes (--max-line-size");
    }

    @Test
    void emptyLinesAreNotRecords() throws IOException {
        RecordReader lines = reader(utf8(GOOD + "\n\n" + GOOD + "\n"), 1024);
        assertThatThrownBy(() -> {
            lines.next();
            lines.next();
        }).isInstanceOfSatisfying(RecordReader.BadRecord.class, bad -> assertThat(bad.line()).isEqualTo(2))
                .hasMessageContaining("an empty line");
    }
}
