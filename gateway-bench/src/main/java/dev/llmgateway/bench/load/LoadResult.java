package dev.llmgateway.bench.load;

import org.HdrHistogram.Histogram;

/**
 * What one measured window produced. Latencies are in microseconds; only successful requests are in the histograms.
 *
 * @param requests   requests that started in the window and completed with 2xx
 * @param errors     requests in the window answered with a non-2xx status or lost with their connection
 * @param incomplete requests in the window still unanswered when the drain timeout ran out
 * @param seconds    from the window's start to its end, or to its last answer if that came later
 * @param latency    send (closed loop) or intended send (open loop) → last byte of the response
 * @param firstEvent send or intended send → first byte of the response body (streams; empty otherwise)
 * @param eventSpan  first byte → last byte of the body, the stream's events in between (streams)
 * @param longestGap per stream, the longest silence between two reads of its body (streams); for one unfinished at
 *                   the drain deadline, the silence until then counts too
 * @param events     SSE events the successful streams carried
 * @param bodyBytes  response body bytes received, for a check that every target returned the same answer
 */
public record LoadResult(long requests, long errors, long incomplete, double seconds, Histogram latency,
                         Histogram firstEvent, Histogram eventSpan, Histogram longestGap, long events,
                         long bodyBytes) {

    public double requestsPerSecond() {
        return requests / seconds;
    }

    /** Requests of the window, whatever became of them. */
    public long sent() {
        return requests + errors + incomplete;
    }

    public double eventsPerSecond() {
        return events / seconds;
    }

    public boolean failed() {
        return requests == 0 || errors > 0 || incomplete > 0;
    }
}
