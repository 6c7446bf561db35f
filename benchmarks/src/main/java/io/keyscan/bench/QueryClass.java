package io.keyscan.bench;

import io.keyscan.Patterns;
import io.keyscan.testkit.RailsPerformanceDataset;
import io.keyscan.testkit.RailsPerformanceDataset.Entry;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A kind of query the benchmark times: its name in the CSV, the pattern, and, over a dataset the benchmark
 * loaded itself, which records the answer must hold.
 *
 * @param name the CSV's {@code query_class}
 * @param pattern the glob pattern listed
 * @param expected the records of the answer; {@code null} when the data is not the benchmark's own
 */
record QueryClass(String name, String pattern, @Nullable Predicate<Entry> expected) {

    /** Every class, in report order. */
    static final List<String> NAMES = List.of("match_all", "date_scoped", "lookup", "broad", "literal");

    /** The day of the {@code date_scoped} query. */
    static final String DAY = "20260204";

    /** The controller of the {@code broad} query. */
    static final String CONTROLLER = "UsersController";

    /** The classes named in {@code names} over a dataset the benchmark generated and loaded. */
    static List<QueryClass> forDataset(List<String> names, RailsPerformanceDataset dataset) {
        int size = dataset.entries().size();
        String requestId = dataset.someRequestId(size / 2);
        String literalKey = dataset.entries().get(size / 3).key();
        return names.stream().map(name -> switch (name) {
            case "match_all" -> new QueryClass(name, "*", e -> true);
            case "date_scoped" -> new QueryClass(name, RailsPerformanceDataset.dateQuery(DAY),
                    e -> e.kind().equals("performance") && e.day().equals(DAY));
            case "lookup" -> new QueryClass(name, RailsPerformanceDataset.requestQuery(requestId),
                    e -> e.kind().equals("performance") && e.requestId().equals(requestId));
            case "broad" -> new QueryClass(name, RailsPerformanceDataset.controllerQuery(CONTROLLER),
                    e -> e.kind().equals("performance") && e.controller().equals(CONTROLLER));
            case "literal" -> new QueryClass(name, Patterns.escape(literalKey), e -> e.key().equals(literalKey));
            default -> throw new IllegalArgumentException("unknown query class " + name);
        }).toList();
    }

    /**
     * The classes named in {@code names} over data the benchmark did not write: the same pattern shapes, with a
     * request id and a literal key taken from the server (see {@link #readOnly}); answers are checked against
     * KEYS only.
     *
     * @param requestId a request id found on the server, or {@code null} (the lookup then matches nothing)
     * @param existingKey a key found on the server
     */
    static List<QueryClass> readOnly(List<String> names, @Nullable String requestId, String existingKey) {
        String id = requestId == null ? "no-such-request-id" : requestId;
        return names.stream().map(name -> switch (name) {
            case "match_all" -> new QueryClass(name, "*", null);
            case "date_scoped" -> new QueryClass(name, RailsPerformanceDataset.dateQuery(DAY), null);
            case "lookup" -> new QueryClass(name, RailsPerformanceDataset.requestQuery(Patterns.escape(id)), null);
            case "broad" -> new QueryClass(name, RailsPerformanceDataset.controllerQuery(CONTROLLER), null);
            case "literal" -> new QueryClass(name, Patterns.escape(existingKey), null);
            default -> throw new IllegalArgumentException("unknown query class " + name);
        }).toList();
    }
}
