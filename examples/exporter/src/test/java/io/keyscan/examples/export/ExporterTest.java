package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.keyscan.KeyScanException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code --distinct auto}: de-duplicate when the fingerprint table fits in keyscan's memory limit, and say so when
 * not; what a listing stopped by that limit says.
 */
class ExporterTest {

    private static final long MB = 1 << 20;

    @Test
    void autoDeduplicatesWhenTheSetFitsInTheLimit() {
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(said, true, StandardCharsets.UTF_8);
        assertThat(Exporter.distinct(Arguments.Distinct.AUTO, 1_000_000, 6_000 * MB, err)).isTrue();
        assertThat(Exporter.distinct(Arguments.Distinct.AUTO, 500_000, 32 * MB, err)).isTrue();
        assertThat(said.size()).isZero();

        assertThat(Exporter.distinct(Arguments.Distinct.AUTO, 1_000_000, 32 * MB, err)).isFalse();
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
    void passingTheMemoryLimitSaysWhatToDoWithThisTool() {
        KeyScanException limit = new KeyScanException("Listing keys of pattern '*' stopped after 10 keys: remembering "
                + "the keys already emitted, to emit each once, would take more than distinctMemoryLimit (64 KB). "
                + "Raise distinctMemoryLimit", "*", null, 1, null);
        assertThat(Exporter.describeFailure(limit)).startsWith(KeyExportTool.describe(limit))
                .endsWith(". With this tool: export with --distinct off (constant memory), or give the JVM more heap "
                        + "(-Xmx; the limit is a quarter of it) or set KEYSCAN_DISTINCT_MEMORY_LIMIT");
        IllegalStateException other = new IllegalStateException("no");
        assertThat(Exporter.describeFailure(other)).isEqualTo(KeyExportTool.describe(other));
    }
}
