package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code --distinct auto}: de-duplicate when the fingerprint table fits in half the heap, and say so when not; what a
 * failure caused by running out of memory says.
 */
class ExporterTest {

    private static final long MB = 1 << 20;

    @Test
    void autoDeduplicatesWhenTheSetFitsInHalfTheHeap() {
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(said, true, StandardCharsets.UTF_8);
        assertThat(Exporter.distinct(Arguments.Distinct.AUTO, 1_000_000, 6_000 * MB, err)).isTrue();
        assertThat(Exporter.distinct(Arguments.Distinct.AUTO, 500_000, 64 * MB, err)).isTrue();
        assertThat(said.size()).isZero();

        assertThat(Exporter.distinct(Arguments.Distinct.AUTO, 1_000_000, 64 * MB, err)).isFalse();
        assertThat(said.toString(StandardCharsets.UTF_8)).contains("1,000,000 keys").contains("constant memory")
                .contains("--distinct on");
    }

    @Test
    void onAndOffAreObeyed() {
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(Exporter.distinct(Arguments.Distinct.ON, 1_000_000_000, 64 * MB, err)).isTrue();
        assertThat(Exporter.distinct(Arguments.Distinct.OFF, 1, 6_000 * MB, err)).isFalse();
    }

    @Test
    void runningOutOfHeapSaysWhatToDoEvenWhenWrapped() {
        RuntimeException wrapped = new RuntimeException("SCAN failed", new OutOfMemoryError("Java heap space"));
        assertThat(Exporter.describeFailure(wrapped))
                .isEqualTo("out of memory (Java heap space): give the JVM more (-Xmx) or export with --distinct off "
                        + "(constant memory)");
        assertThat(Exporter.describeFailure(new OutOfMemoryError("Direct buffer memory")))
                .isEqualTo("out of memory (Direct buffer memory)");
        assertThat(Exporter.fatal(new IllegalStateException("no"))).isNull();
    }
}
