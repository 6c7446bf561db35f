package io.keyscan;

/**
 * Chooses the COUNT of each SCAN call in one listing of one server. Thread-safe: the cursor ranges of a server
 * share one tuner.
 */
interface CountTuner {

    /** The COUNT for the next SCAN call. */
    int count();

    /**
     * Records the first call of a listing, where {@code INFO server} and SCAN were written together.
     *
     * @param count the COUNT the SCAN was sent with
     * @param infoNanos from sending to the INFO reply: the connection's idle round trip, near enough
     * @param scanNanos from sending to the SCAN reply
     */
    void onFirstPage(int count, long infoNanos, long scanNanos);

    /**
     * Records a later call.
     *
     * @param count the COUNT it was sent with
     * @param roundTripNanos from sending to its reply
     * @param inFlight how many SCAN calls to this server were in flight when it was sent, itself included: the
     *     server runs them one after the other, so the round trip includes their time
     */
    void onPage(int count, long roundTripNanos, int inFlight);

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
        public void onFirstPage(int count, long infoNanos, long scanNanos) {
        }

        @Override
        public void onPage(int count, long roundTripNanos, int inFlight) {
        }
    }
}
