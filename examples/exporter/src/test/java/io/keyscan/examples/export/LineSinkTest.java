package io.keyscan.examples.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.publisher.TestPublisher;

/** The writer's ends: completion, and an interruption inside a value written over several lines. */
class LineSinkTest {

    @TempDir
    Path dir;

    private static ExportLine line(String json, boolean startsKey, boolean more) {
        return new ExportLine((json + "\n").getBytes(StandardCharsets.UTF_8), startsKey, more);
    }

    @Test
    void anInterruptedFileIsCutBackToItsLastWholeKey() throws Exception {
        Path file = dir.resolve("out.ndjson");
        FileOutputStream out = new FileOutputStream(file.toFile());
        LineSink sink = new LineSink(new BufferedOutputStream(out), out.getChannel());
        TestPublisher<ExportLine> lines = TestPublisher.create();
        lines.flux().subscribe(sink);
        lines.next(line("{\"key\":\"a\"}", true, false), line("{\"key\":\"big\",\"more\":true}", true, true),
                line("{\"key\":\"big\",\"part\":2,\"more\":true}", false, true));

        assertThat(sink.interrupt()).isTrue();
        assertThat(sink.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sink.outcome()).isEqualTo(LineSink.Outcome.INTERRUPTED);
        assertThat(sink.keys()).isEqualTo(1);
        assertThat(Files.readAllLines(file)).containsExactly("{\"key\":\"a\"}");
        lines.assertCancelled();
        assertThat(sink.interrupt()).as("already ended").isFalse();
    }

    @Test
    void completionKeepsEverythingAndCountsKeys() throws Exception {
        Path file = dir.resolve("done.ndjson");
        FileOutputStream out = new FileOutputStream(file.toFile());
        LineSink sink = new LineSink(new BufferedOutputStream(out), out.getChannel());
        TestPublisher<ExportLine> lines = TestPublisher.create();
        lines.flux().subscribe(sink);
        lines.next(line("{\"key\":\"big\",\"more\":true}", true, true), line("{\"key\":\"big\",\"part\":2}", false,
                false));
        lines.complete();

        assertThat(sink.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sink.outcome()).isEqualTo(LineSink.Outcome.COMPLETED);
        assertThat(sink.keys()).isEqualTo(1);
        assertThat(Files.readAllLines(file)).hasSize(2);
        assertThat(sink.interrupt()).as("a finished export is not interrupted").isFalse();
        assertThat(Files.readAllLines(file)).isEqualTo(List.of("{\"key\":\"big\",\"more\":true}",
                "{\"key\":\"big\",\"part\":2}"));
    }
}
