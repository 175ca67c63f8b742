package dev.llmgateway.bench.load;

/**
 * One target's outcome in a harness run.
 *
 * @param load       the measured window; null when the target could not be measured
 * @param failure    why it could not be, or null
 * @param cpuSeconds the proxy's CPU time (user + system) during the window; NaN for direct (no proxy) and held
 *                   streams (see {@link Held#cpuShare})
 * @param peakRssKib the proxy's peak resident memory over its life; -1 for direct
 * @param held       what holding the streams cost the proxy; null unless held mode measured a proxy
 * @param upstream   the connections the mock upstream saw in the window; null when not counted (wrk, a failure)
 */
record TargetResult(String name, LoadResult load, String failure, double cpuSeconds, long peakRssKib, Held held,
                    Upstream upstream) {

    /**
     * @param protocol what the target spoke to the mock (HTTP/1.1, HTTP/2, h2c for direct's load)
     * @param peakOpen the most connections open to the mock at once in the window (kept-alive ones included)
     * @param opened   connections opened to the mock in the window
     */
    record Upstream(String protocol, int peakOpen, int opened) {
    }

    /**
     * @param idleRssKib VmRSS after the warm-up, with no connection open, just before the streams open
     * @param openRssKib VmRSS with every stream open, halfway through the time they are all open
     * @param cpuShare   CPU seconds per second from when the last stream opened to that point (1 = one core)
     */
    record Held(long idleRssKib, long openRssKib, double cpuShare) {
    }

    static TargetResult failed(String name, String failure) {
        return new TargetResult(name, null, failure, Double.NaN, -1, null, null);
    }

    boolean measured() {
        return load != null;
    }

    boolean ok() {
        return load != null && !load.failed();
    }

    /** CPU seconds the proxy spent per 1,000 requests; NaN without a proxy or without requests. */
    double cpuSecondsPerThousand() {
        return load == null || load.requests() == 0 ? Double.NaN : cpuSeconds / (load.requests() / 1000.0);
    }
}
