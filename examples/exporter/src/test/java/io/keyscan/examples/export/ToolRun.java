package io.keyscan.examples.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the tool in this JVM as its command line would, capturing what it says on standard error. */
record ToolRun(int exitCode, String err) {

    static ToolRun of(String... args) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(captured, true, StandardCharsets.UTF_8);
        int code = KeyExportTool.run(args, err);
        return new ToolRun(code, captured.toString(StandardCharsets.UTF_8));
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
                Map<String, Object> parsed = (Map<String, Object>) JsonParser.parse(line);
                lines.add(parsed);
            } catch (RuntimeException e) {
                throw new AssertionError("line " + number + " of " + file + " is not a JSON object: " + e.getMessage()
                        + ": " + (line.length() > 200 ? line.substring(0, 200) + "..." : line), e);
            }
        }
        return lines;
    }
}
