package io.keyscan.bench;

import io.keyscan.testkit.Jvm;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a benchmark's main class again in a JVM of its own, the one that measures, so that the launching JVM (Maven's,
 * under {@code exec:java}) counts in neither the timings nor the memory.
 */
final class MeasuringJvm {

    private MeasuringJvm() {
    }

    /**
     * Starts {@code main} with {@code args} in a new JVM with {@code options} (plus the benchmarks folder this JVM was
     * given), waits for it and exits with its status. Ctrl-C reaches both JVMs (one process group), but a SIGTERM to
     * this one alone would leave the measuring JVM running, still loading the machine and holding its Redis server:
     * the stop is passed on and its own shutdown (server settings restored, server stopped) waited for.
     */
    static void runAndExit(Class<?> main, List<String> options, String[] args) throws IOException,
            InterruptedException {
        List<String> jvmOptions = new ArrayList<>(options);
        String dir = System.getProperty("keyscan.benchmarks.dir");
        if (dir != null) {
            jvmOptions.add("-Dkeyscan.benchmarks.dir=" + dir);
        }
        Process measuring = new ProcessBuilder(Jvm.command(main, jvmOptions, List.of(args))).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            measuring.destroy();
            try {
                if (!measuring.waitFor(30, TimeUnit.SECONDS)) {
                    measuring.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "keyscan-benchmark-stop-measuring"));
        System.exit(measuring.waitFor());
    }
}
