package io.keyscan.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** What the report says about where it ran. */
record Machine(int cores, String memory, String os, String jdk, String commit) {

    static Machine describe() {
        int cores = Runtime.getRuntime().availableProcessors();
        String memory = "unknown RAM";
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = String.format(Locale.ROOT, "%.1f GiB RAM", os.getTotalMemorySize() / (1024.0 * 1024 * 1024));
        }
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
        String distribution = distribution();
        if (!distribution.isEmpty()) {
            os += " (" + distribution + ")";
        }
        String collectors = java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(java.lang.management.GarbageCollectorMXBean::getName)
                .collect(java.util.stream.Collectors.joining(", "));
        String jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vm.vendor") + "), measuring with " + collectors;
        return new Machine(cores, memory, os, jdk, gitCommit());
    }

    /** The 1, 5 and 15 minute load averages from {@code /proc/loadavg}, e.g. {@code 1.02 0.87 0.60}, or "unknown". */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** {@code PRETTY_NAME} of {@code /etc/os-release}, or empty. */
    private static String distribution() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"), StandardCharsets.UTF_8)) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring("PRETTY_NAME=".length()).replace("\"", "").trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable
        }
        return "";
    }

    /** The keyscan commit measured: {@code git describe}-like, with "+ uncommitted changes" when dirty. */
    private static String gitCommit() {
        String head = git("rev-parse", "--short=12", "HEAD");
        if (head.isEmpty()) {
            return "unknown (not a git checkout)";
        }
        String branch = git("rev-parse", "--abbrev-ref", "HEAD");
        String dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)**/results/**");
        return head + (branch.isEmpty() ? "" : " (" + branch + ")") + (dirty.isEmpty() ? "" : " + uncommitted changes");
    }

    private static String git(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "git";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                return "";
            }
            return new String(output, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
