package io.keyscan;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cluster node processes, by {@code run_id}, whose SCAN replies showed a cursor that carries the slot (see
 * {@link NodeIteration}): a process keeps its layout for its whole life, so later listings of the same scanner
 * may cut its slots into ranges from their first page on. Bounded: the oldest are forgotten (and then shown
 * again by a listing's replies). Thread-safe.
 */
final class SlotCursorProcesses {

    /** More processes than a large cluster has nodes, restarts included. */
    static final int CAPACITY = 1024;

    private final Map<String, Boolean> runIds = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CAPACITY;
        }
    };

    synchronized boolean contains(String runId) {
        return runIds.containsKey(runId);
    }

    synchronized void add(String runId) {
        runIds.put(runId, Boolean.TRUE);
    }

    /** A process whose replies contradicted the layout after all: never trusted again. */
    synchronized void remove(String runId) {
        runIds.remove(runId);
    }
}
