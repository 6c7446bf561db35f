package io.keyscan;

import io.keyscan.testkit.RailsPerformanceDataset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@code fetchKeys} does with the keys once they arrived, on either path: decode, sort, de-duplicate.
 * Input: rails_performance-shaped keys in the server's (random) order, with 5% SCAN-style duplicates.
 * In package {@code io.keyscan} to reach the engine's package-private code.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SortDistinctBenchmark {

    @Param({"10000", "100000", "1000000"})
    int keys;

    private List<byte[]> raw;

    @Setup(Level.Trial)
    public void generate() {
        List<String> generated = RailsPerformanceDataset.generate(keys, 1).keys();
        List<byte[]> withDuplicates = new ArrayList<>(keys + keys / 20);
        for (String key : generated) {
            withDuplicates.add(key.getBytes(StandardCharsets.UTF_8));
        }
        for (int i = 0; i < keys / 20; i++) {
            withDuplicates.add(withDuplicates.get(i * 20));
        }
        Collections.shuffle(withDuplicates, new Random(1));
        raw = withDuplicates;
    }

    @Benchmark
    public List<String> decodeSortDistinct() {
        return KeyCoding.sortedDistinct(KeyCoding.decodeAll(raw, "*"), KeyCoding.STRING_ORDER);
    }
}
