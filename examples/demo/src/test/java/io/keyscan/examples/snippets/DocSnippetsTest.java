package io.keyscan.examples.snippets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every {@code ```java} block of the project's Markdown must be a copy of a {@code tag::name[]} region of the
 * examples' sources (which the build compiles), named by a {@code <!-- snippet: name -->} line right above the
 * block. With {@code -Dsnippets.update=true} the blocks are rewritten from the sources instead of checked.
 */
class DocSnippetsTest {

    private static final Pattern TAG = Pattern.compile("^\\s*// tag::([\\w-]+)\\[]\\s*$");
    private static final Pattern END = Pattern.compile("^\\s*// end::([\\w-]+)\\[]\\s*$");
    private static final Pattern MARKER = Pattern.compile("^<!-- snippet: ([\\w-]+) -->\\s*$");

    @Test
    void everyJavaBlockOfTheDocsIsCompiledCode() throws IOException {
        Path root = projectRoot();
        Map<String, List<String>> snippets = snippets(root.resolve("examples"));
        boolean update = Boolean.getBoolean("snippets.update");
        List<String> problems = new ArrayList<>();
        int blocks = 0;
        for (Path doc : markdownFiles(root)) {
            List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
            List<String> rewritten = new ArrayList<>();
            String name = root.relativize(doc).toString();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                rewritten.add(line);
                if (!line.strip().equals("```java")) {
                    continue;
                }
                blocks++;
                int close = i + 1;
                while (close < lines.size() && !lines.get(close).strip().equals("```")) {
                    close++;
                }
                List<String> block = lines.subList(i + 1, Math.min(close, lines.size()));
                Matcher marker = i > 0 ? MARKER.matcher(lines.get(i - 1)) : null;
                if (marker == null || !marker.matches()) {
                    problems.add(name + ":" + (i + 1) + ": a java block without a '<!-- snippet: name -->' line above");
                } else if (!snippets.containsKey(marker.group(1))) {
                    problems.add(name + ":" + (i + 1) + ": no tag::" + marker.group(1) + "[] in examples/");
                } else if (update) {
                    rewritten.addAll(snippets.get(marker.group(1)));
                    i = close - 1;
                    continue;
                } else if (!block.equals(snippets.get(marker.group(1)))) {
                    problems.add(name + ":" + (i + 1) + ": the block differs from tag::" + marker.group(1)
                            + "[]; run with -Dsnippets.update=true to copy the code into the document.\n  code:\n    "
                            + String.join("\n    ", snippets.get(marker.group(1))) + "\n  document:\n    "
                            + String.join("\n    ", block));
                }
                rewritten.addAll(block);
                i = close - 1;
            }
            if (update && !rewritten.equals(lines)) {
                Files.write(doc, rewritten, StandardCharsets.UTF_8);
            }
        }
        assertThat(problems).as("documentation snippets").isEmpty();
        assertThat(blocks).as("java blocks found (README and docs have some)").isGreaterThanOrEqualTo(3);
    }

    private static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve(".mvn"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("the project root (holding .mvn) above the working directory").isNotNull();
        return dir;
    }

    private static List<Path> markdownFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(path -> path.toString().endsWith(".md"))
                    .filter(path -> !outsideSources(root, path))
                    .sorted()
                    .toList();
        }
    }

    /** Build output, VCS data and dependencies, which hold Markdown that is not ours. */
    private static boolean outsideSources(Path root, Path path) {
        for (Path part : root.relativize(path)) {
            String name = part.toString();
            if (name.equals("target") || name.startsWith(".") || name.equals("node_modules")) {
                return true;
            }
        }
        return false;
    }

    /** Every tagged region of the Java sources under {@code dir}, dedented. */
    private static Map<String, List<String>> snippets(Path dir) throws IOException {
        Map<String, List<String>> snippets = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(path -> path.toString().endsWith(".java")).filter(path -> !outsideSources(dir, path))
                    .forEach(file -> {
                        try {
                            collect(file, Files.readAllLines(file, StandardCharsets.UTF_8), snippets);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }
        return snippets;
    }

    private static void collect(Path file, List<String> lines, Map<String, List<String>> snippets) {
        for (int i = 0; i < lines.size(); i++) {
            Matcher tag = TAG.matcher(lines.get(i));
            if (!tag.matches()) {
                continue;
            }
            int end = i + 1;
            while (end < lines.size() && !lines.get(end).strip().equals("// end::" + tag.group(1) + "[]")) {
                assertThat(END.matcher(lines.get(end)).matches()).as(file + ":" + (end + 1) + " ends another tag")
                        .isFalse();
                end++;
            }
            assertThat(end).as(file + ": tag::" + tag.group(1) + "[] is never ended").isLessThan(lines.size());
            assertThat(snippets).as(file + ": tag::" + tag.group(1) + "[] is defined twice").doesNotContainKey(
                    tag.group(1));
            snippets.put(tag.group(1), dedent(lines.subList(i + 1, end)));
        }
    }

    private static List<String> dedent(List<String> lines) {
        int indent = Integer.MAX_VALUE;
        for (String line : lines) {
            if (!line.isBlank()) {
                indent = Math.min(indent, line.length() - line.stripLeading().length());
            }
        }
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.isBlank() ? "" : line.substring(indent));
        }
        return out;
    }
}
