package dev.llmgateway.metrics;

import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.accesslog.Outcome;
import dev.llmgateway.accesslog.SampleRecords;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class MetricsRecordingTest {
    private final GatewayMetrics metrics = new GatewayMetrics();

    private void finish(ExchangeRecord r) {
        metrics.requestStarted();
        metrics.requestFinished(r);
    }

    @Test
    void countsRequestsPerLabelSet() {
        finish(SampleRecords.chat().build());
        finish(SampleRecords.chat().build());
        finish(SampleRecords.chat().status(502).outcome(Outcome.UPSTREAM_ERROR).errorType("upstream_unreachable")
                .build());
        finish(SampleRecords.chat().keyName("batch").build());

        ScrapeText s = ScrapeText.of(metrics);
        assertEquals(2.0, s.value("llm_requests_total", "api_key", "demo", "model", "gpt-4o", "provider", "openai",
                "endpoint", "chat_completions", "status", "200"));
        assertEquals(1.0, s.value("llm_requests_total", "api_key", "demo", "model", "gpt-4o", "provider", "openai",
                "endpoint", "chat_completions", "status", "502"));
        assertEquals(1.0, s.value("llm_requests_total", "api_key", "batch", "model", "gpt-4o", "provider", "openai",
                "endpoint", "chat_completions", "status", "200"));
        assertEquals(1.0, s.value("llm_errors_total", "api_key", "demo", "model", "gpt-4o", "provider", "openai",
                "endpoint", "chat_completions", "error_type", "upstream_unreachable"));
        assertEquals(1, s.text.lines().filter(l -> l.startsWith("llm_errors_total{")).count(),
                "only the failed request counts as an error");
    }

    @Test
    void missingLabelsBecomeNoneOrOther() {
        finish(SampleRecords.chat().rejectedBeforeRouting(404, "not_found").build());

        ScrapeText s = ScrapeText.of(metrics);
        assertEquals(1.0, s.value("llm_requests_total", "api_key", "none", "model", "other", "provider", "none",
                "endpoint", "none", "status", "404"));
        assertEquals(1.0, s.value("llm_errors_total", "api_key", "none", "model", "other", "provider", "none",
                "endpoint", "none", "error_type", "not_found"));
    }

    @Test
    void sumsTokensByTypeAndSkipsUnknownCounts() {
        finish(SampleRecords.chat().tokens(12, 34, -1).build());
        finish(SampleRecords.chat().tokens(8, 6, 5).build());
        finish(SampleRecords.chat().tokens(-1, -1, -1).build());

        ScrapeText s = ScrapeText.of(metrics);
        String[] series = {"api_key", "demo", "model", "gpt-4o", "provider", "openai"};
        assertEquals(20.0, s.value("llm_tokens_total", with(series, "type", "input")));
        assertEquals(40.0, s.value("llm_tokens_total", with(series, "type", "output")));
        assertEquals(5.0, s.value("llm_tokens_total", with(series, "type", "cached_input")));
    }

    @Test
    void cachedTokensSeriesAbsentWhenNeverReported() {
        finish(SampleRecords.chat().tokens(12, 34, -1).build());

        assertNull(ScrapeText.of(metrics).value("llm_tokens_total", "api_key", "demo", "model", "gpt-4o",
                "provider", "openai", "type", "cached_input"));
    }

    @Test
    void observesDurationIntoBuckets() {
        finish(SampleRecords.chat().durationNanos(123_400_000).build());
        finish(SampleRecords.chat().durationNanos(3_000_000).build());
        finish(SampleRecords.chat().durationNanos(700_000_000_000L).build());

        ScrapeText s = ScrapeText.of(metrics);
        String[] series = {"model", "gpt-4o", "provider", "openai", "endpoint", "chat_completions", "stream", "true"};
        assertEquals(3.0, s.value("llm_request_duration_seconds_count", series));
        assertEquals(700.1264, s.value("llm_request_duration_seconds_sum", series), 1e-9);
        assertEquals(1.0, s.value("llm_request_duration_seconds_bucket", with(series, "le", "0.005")));
        assertEquals(1.0, s.value("llm_request_duration_seconds_bucket", with(series, "le", "0.1")));
        assertEquals(2.0, s.value("llm_request_duration_seconds_bucket", with(series, "le", "0.25")));
        assertEquals(2.0, s.value("llm_request_duration_seconds_bucket", with(series, "le", "600.0")));
        assertEquals(3.0, s.value("llm_request_duration_seconds_bucket", with(series, "le", "+Inf")));
    }

    @Test
    void observesTimeToFirstTokenAndOverheadOnlyWhenKnown() {
        finish(SampleRecords.chat().ttftNanos(45_000_000).overheadNanos(35_000).build());
        finish(SampleRecords.chat().ttftNanos(-1).overheadNanos(-1).build());
        finish(SampleRecords.chat().stream(false).ttftNanos(-1).overheadNanos(200_000).build());

        ScrapeText s = ScrapeText.of(metrics);
        assertEquals(1.0, s.value("llm_time_to_first_token_seconds_count", "model", "gpt-4o", "provider", "openai"));
        assertEquals(0.045, s.value("llm_time_to_first_token_seconds_sum", "model", "gpt-4o", "provider", "openai"),
                1e-12);
        assertEquals(1.0, s.value("llm_time_to_first_token_seconds_bucket", "model", "gpt-4o", "provider", "openai",
                "le", "0.05"));
        assertEquals(0.0, s.value("llm_time_to_first_token_seconds_bucket", "model", "gpt-4o", "provider", "openai",
                "le", "0.025"));
        assertEquals(1.0, s.value("llm_gateway_overhead_seconds_count", "endpoint", "chat_completions",
                "stream", "true"));
        assertEquals(1.0, s.value("llm_gateway_overhead_seconds_bucket", "endpoint", "chat_completions",
                "stream", "true", "le", "5.0E-5"));
        assertEquals(0.0, s.value("llm_gateway_overhead_seconds_bucket", "endpoint", "chat_completions",
                "stream", "true", "le", "2.5E-5"));
        assertEquals(1.0, s.value("llm_gateway_overhead_seconds_count", "endpoint", "chat_completions",
                "stream", "false"));
    }

    @Test
    void countsStreamOutcomesForStreamsOnly() {
        finish(SampleRecords.chat().build());
        finish(SampleRecords.chat().outcome(Outcome.CANCELLED_BY_CLIENT).status(200).build());
        finish(SampleRecords.chat().outcome(Outcome.CANCELLED_BY_CLIENT).build());
        finish(SampleRecords.chat().stream(false).outcome(Outcome.TIMEOUT).status(504).errorType("timeout").build());

        ScrapeText s = ScrapeText.of(metrics);
        assertEquals(1.0, s.value("llm_stream_outcomes_total", "model", "gpt-4o", "provider", "openai",
                "outcome", "completed"));
        assertEquals(2.0, s.value("llm_stream_outcomes_total", "model", "gpt-4o", "provider", "openai",
                "outcome", "cancelled_by_client"));
        assertNull(s.value("llm_stream_outcomes_total", "model", "gpt-4o", "provider", "openai",
                "outcome", "timeout"));
    }

    @Test
    void tracksRequestsInFlight() {
        metrics.requestStarted();
        metrics.requestStarted();
        metrics.requestStarted();
        metrics.requestFinished(SampleRecords.chat().build());

        assertEquals(2.0, ScrapeText.of(metrics).value("llm_requests_in_flight"));
    }

    @Test
    void countsRetriesFallbacksAndReloads() {
        metrics.retry("openai");
        metrics.retry("openai");
        metrics.retry(null);
        metrics.fallback("gpt-4o", "claude-sonnet");
        metrics.configReload(true);
        metrics.configReload(false);
        metrics.configReload(false);

        ScrapeText s = ScrapeText.of(metrics);
        assertEquals(2.0, s.value("llm_retries_total", "provider", "openai"));
        assertEquals(1.0, s.value("llm_retries_total", "provider", "none"));
        assertEquals(1.0, s.value("llm_fallbacks_total", "from_model", "gpt-4o", "to_model", "claude-sonnet"));
        assertEquals(1.0, s.value("llm_config_reloads_total", "result", "ok"));
        assertEquals(2.0, s.value("llm_config_reloads_total", "result", "failed"));
    }

    @Test
    void readsPoolGaugesAtEachScrape() {
        Map<String, GatewayMetrics.PoolStats> pools = new HashMap<>();
        pools.put("openai", new GatewayMetrics.PoolStats(8, 5, 0));
        metrics.poolStats(() -> Map.copyOf(pools));

        ScrapeText first = ScrapeText.of(metrics);
        assertEquals(8.0, first.value("llm_upstream_connections", "provider", "openai", "state", "open"));
        assertEquals(5.0, first.value("llm_upstream_connections", "provider", "openai", "state", "idle"));
        assertEquals(0.0, first.value("llm_upstream_pending_acquires", "provider", "openai"));

        pools.put("openai", new GatewayMetrics.PoolStats(10, 0, 3));
        pools.put("anthropic", new GatewayMetrics.PoolStats(1, 1, 0));
        ScrapeText second = ScrapeText.of(metrics);
        assertEquals(10.0, second.value("llm_upstream_connections", "provider", "openai", "state", "open"));
        assertEquals(3.0, second.value("llm_upstream_pending_acquires", "provider", "openai"));
        assertEquals(1.0, second.value("llm_upstream_connections", "provider", "anthropic", "state", "idle"));
    }

    @Test
    void instancesDoNotShareSeries() {
        finish(SampleRecords.chat().build());
        GatewayMetrics other = new GatewayMetrics();

        assertNull(ScrapeText.of(other).value("llm_requests_total", "api_key", "demo", "model", "gpt-4o",
                "provider", "openai", "endpoint", "chat_completions", "status", "200"));
    }

    /**
     * More label combinations than a thread keeps ({@link RequestSeries#SLOTS}, so slots are replaced), more
     * statuses and error types per combination than it keeps, on two threads: every request lands in its own series,
     * and no series appears that no request recorded into.
     */
    @Test
    void everySeriesCountsItsOwnRequestsWhateverTheThreadKeeps() throws Exception {
        Map<String, Integer> expected = new HashMap<>();
        Runnable traffic = () -> {
            for (int round = 0; round < 3; round++) {
                for (int key = 0; key < 2 * RequestSeries.SLOTS; key++) {
                    int status = 400 + key % 12;
                    finish(SampleRecords.chat().keyName("key-" + key).stream(key % 3 == 0).status(status)
                            .errorType("error_" + key % 10).outcome(Outcome.REJECTED).build());
                }
            }
        };
        for (int key = 0; key < 2 * RequestSeries.SLOTS; key++) {
            expected.put("key-" + key + " " + (400 + key % 12), 6);
        }
        Thread other = new Thread(traffic);
        other.start();
        traffic.run();
        other.join(10_000);

        ScrapeText s = ScrapeText.of(metrics);
        expected.forEach((keyAndStatus, count) -> {
            String[] parts = keyAndStatus.split(" ");
            assertEquals((double) count, s.value("llm_requests_total", "api_key", parts[0], "model", "gpt-4o",
                    "provider", "openai", "endpoint", "chat_completions", "status", parts[1]), keyAndStatus);
        });
        assertEquals(expected.size(), s.text.lines().filter(l -> l.startsWith("llm_requests_total{")).count());
        assertEquals(expected.size(), s.text.lines().filter(l -> l.startsWith("llm_errors_total{")).count());
        assertEquals(6.0 * 2 * RequestSeries.SLOTS, s.text.lines().filter(l -> l.startsWith("llm_errors_total{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum());
    }

    private static String[] with(String[] labels, String name, String value) {
        String[] all = java.util.Arrays.copyOf(labels, labels.length + 2);
        all[labels.length] = name;
        all[labels.length + 1] = value;
        return all;
    }
}
