package io.keyscan;

/**
 * Chooses the COUNT of each SCAN call in one listing of one server. Thread-safe: the cursor ranges of a server
 * share one tuner.
 */
interface CountTuner {

    /** The COUNT for the next SCAN call. */
    int count();

    /** Whether this tuner uses measurements; if not, none are taken. */
    boolean measures();

    /**
     * How many cursors now walk this server at once. Their calls wait in the server's queue one behind the other,
     * and another client's command waits behind all of them: so each call gets its share of the budget.
     */
    void cursors(int cursors);

    /**
     * Records what SCAN calls cost the server.
     *
     * @param counts the sum of the COUNTs of the calls measured
     * @param calls how many calls that was
     * @param serverNanos their total time on the server, as the server reports it
     */
    void onServerTime(long counts, int calls, long serverNanos);

    /**
     * The tuner for a query of class {@code queryClass} under {@code options}: exactly
     * {@link KeyScanOptions#scanCount()} on every call when auto-tuning is off, else an
     * {@link AdaptiveCountTuner} starting at the class' measured COUNT.
     */
    static CountTuner forQuery(KeyScanOptions options, QueryClass queryClass) {
        if (!options.scanCountAutoTune()) {
            return new Fixed(options.scanCount());
        }
        return new AdaptiveCountTuner(options.scanCallBudget(), options.scanCountMin(), options.scanCountMax(),
                queryClass.startCount);
    }

    /** The same COUNT on every call. */
    final class Fixed implements CountTuner {
        private final int count;

        Fixed(int count) {
            this.count = count;
        }

        @Override
        public int count() {
            return count;
        }

        @Override
        public boolean measures() {
            return false;
        }

        @Override
        public void onServerTime(long counts, int calls, long serverNanos) {
        }

        @Override
        public void cursors(int cursors) {
        }
    }
}
