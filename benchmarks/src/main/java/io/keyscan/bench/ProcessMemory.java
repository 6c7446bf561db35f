package io.keyscan.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process' resident memory from {@code /proc/<pid>/status} (Linux): {@code VmRSS} now, {@code VmHWM} the peak.
 * The peak can be reset ({@code 5} written to {@code /proc/<pid>/clear_refs}, Linux 4.0+), so that each round of a
 * load test in one JVM has a peak of its own.
 */
final class ProcessMemory {

    private final long pid;

    private ProcessMemory(long pid) {
        this.pid = pid;
    }

    static ProcessMemory of(long pid) {
        return new ProcessMemory(pid);
    }

    static ProcessMemory self() {
        return new ProcessMemory(ProcessHandle.current().pid());
    }

    /** Resident set size now, in bytes; -1 when unreadable. */
    long rssBytes() {
        return field("VmRSS:");
    }

    /** Peak resident set size since the process started or the last {@link #resetPeak()}, in bytes; -1 if unknown. */
    long peakRssBytes() {
        return field("VmHWM:");
    }

    /** Resets {@link #peakRssBytes()} to the current RSS; {@code false} when the kernel does not allow it. */
    boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5", StandardCharsets.US_ASCII);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@code VmHWM:   733428 kB} and the like, in bytes. */
    static long parse(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name)) {
                String[] fields = line.substring(name.length()).trim().split("\\s+");
                long value = Long.parseLong(fields[0]);
                return fields.length > 1 && fields[1].equalsIgnoreCase("kB") ? value * 1024 : value;
            }
        }
        return -1;
    }

    private long field(String name) {
        try {
            return parse(Files.readString(Path.of("/proc/" + pid + "/status"), StandardCharsets.US_ASCII), name);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
