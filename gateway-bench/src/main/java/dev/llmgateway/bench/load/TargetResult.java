package dev.llmgateway.bench.load;

/**
 * One target's outcome in a harness run.
 *
 * @param load       the measured window; null when the target could not be measured
 * @param failure    why it could not be, or null
 * @param cpuSeconds the proxy's CPU time (user + system) during the window; NaN for direct (no proxy)
 * @param peakRssKib the proxy's peak resident memory over its life; -1 for direct
 */
record TargetResult(String name, LoadResult load, String failure, double cpuSeconds, long peakRssKib) {

    static TargetResult failed(String name, String failure) {
        return new TargetResult(name, null, failure, Double.NaN, -1);
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
