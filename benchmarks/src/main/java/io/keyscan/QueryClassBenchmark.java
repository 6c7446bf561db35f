package io.keyscan;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Classifying a pattern, done once per listing: it must cost nothing next to a round trip. In package
 * {@code io.keyscan} to reach the package-private {@link QueryClass}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class QueryClassBenchmark {

    @Param({
        "performance|*datetime|20260204*|*END|1.0.2",
        "performance|*|request_id|182c77e786a6a04b000003ca|*",
        "performance|controller|UsersController|*",
        "*",
        "performance|controller|Home|END"
    })
    String pattern;

    @Benchmark
    public QueryClass classify() {
        return QueryClass.of(pattern);
    }

    @Benchmark
    public byte[] validateAndEncode() {
        return Patterns.encode(pattern);
    }
}
