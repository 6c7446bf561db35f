package io.keyscan.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** {@code results.csv} and {@code results.md} of a load test, rewritten after every round. */
final class LoadReport {

    /** A load test's rounds: {@code true} when every listing was exact. */
    interface Rounds {
        boolean run() throws IOException, InterruptedException;
    }

    /**
     * Runs {@code rounds} and exits: 0 when every listing was exact, 1 when one was not or the run failed (said on
     * standard error, with how long it took and where the results are).
     */
    static void runAndExit(Rounds rounds, long startNanos, Path out) {
        try {
            boolean exact = rounds.run();
            System.err.println("Done in " + Stats.duration(System.nanoTime() - startNanos) + ". Results: "
                    + out.toAbsolutePath().normalize());
            System.exit(exact ? 0 : 1);
        } catch (RuntimeException | IOException e) {
            System.err.println("FAILED: " + e);
            e.printStackTrace();
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        }
    }


    private LoadReport() {
    }

    /** {@code benchmarks/results/<prefix>-<timestamp>/}. */
    static Path defaultOut(String prefix) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return KeysVersusScanBenchmark.defaultOut(false).getParent().resolve(prefix + "-" + stamp);
    }

    static void writeCsv(Path file, List<LoadRow> rows) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(String.join(",", LoadRow.CSV_HEADER));
        for (LoadRow row : rows) {
            lines.add(String.join(",", row.csvFields().stream().map(Stats::csvField).toList()));
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    /**
     * @param title the first heading
     * @param facts lines of "what ran where" (machine, server, command, ...), each a bullet
     * @param rows the rounds so far
     * @param notes paragraphs after the table
     */
    static void writeMarkdown(Path file, String title, Instant started, List<String> facts, List<LoadRow> rows,
            List<String> notes) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(title).append("\n\n");
        md.append("- started: ").append(started).append('\n');
        for (String fact : facts) {
            md.append("- ").append(fact).append('\n');
        }
        md.append('\n').append(LoadRow.MARKDOWN_HEADER).append('\n');
        for (LoadRow row : rows) {
            md.append(row.markdownRow()).append('\n');
        }
        for (String note : notes) {
            md.append('\n').append(note).append('\n');
        }
        Files.writeString(file, md.toString(), StandardCharsets.UTF_8);
    }
}
