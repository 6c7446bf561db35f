package io.keyscan.examples.export;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the tool in this JVM as its command line would, capturing what it says on standard output and standard
 * error. Its environment is only what a test gives (never this JVM's), and it has no console.
 */
record ToolRun(int exitCode, String out, String err) {

    static ToolRun of(String... args) {
        return of(Map.of(), new ByteArrayInputStream(new byte[0]), args);
    }

    /** With {@code env} as the environment (e.g. KEYSCAN_PASSWORD) and {@code stdin} as standard input. */
    static ToolRun of(Map<String, String> env, InputStream stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KeyExportTool.run(args, new KeyExportTool.Io(env, stdin,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                null));
        return new ToolRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Every line of an export file, parsed; fails if a line is not a whole JSON object ending with a newline. */
    static List<Map<String, Object>> lines(Path file) throws IOException {
        byte[] content = Files.readAllBytes(file);
        if (content.length > 0 && content[content.length - 1] != '\n') {
            throw new AssertionError(file + " does not end with a newline: its last line is cut");
        }
        List<Map<String, Object>> lines = new ArrayList<>();
        int number = 0;
        for (String line : new String(content, StandardCharsets.UTF_8).split("\n", -1)) {
            number++;
            if (line.isEmpty() && number > 1) {
                continue; // after the last newline
            }
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> parsed = (Map<String, Object>) JsonReader.parse(line);
                lines.add(parsed);
            } catch (RuntimeException e) {
                throw new AssertionError("line " + number + " of " + file + " is not a JSON object: " + e.getMessage()
                        + ": " + (line.length() > 200 ? line.substring(0, 200) + "..." : line), e);
            }
        }
        return lines;
    }
}
