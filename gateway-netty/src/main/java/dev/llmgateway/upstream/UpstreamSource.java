package dev.llmgateway.upstream;

/** The producing side of an exchange's upstream response, as the relay steers it. */
public interface UpstreamSource {
    /** Stop reading: the client cannot take more right now (backpressure). */
    void pauseReading();

    void resumeReading();

    /** The response was read to its end; a keep-alive connection goes back to its pool. */
    void finish(boolean reusable);

    /** Stop at once and never reuse (client gone, stream broken). Idempotent. */
    void abort();
}
