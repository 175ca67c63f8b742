package dev.llmgateway.metrics;

import dev.llmgateway.accesslog.SampleRecords;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsExpositionTest {
    private static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    /** What Prometheus 2.x sends. */
    private static final String PROMETHEUS_ACCEPT =
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                    + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    private final GatewayMetrics metrics = new GatewayMetrics();

    @Test
    void choosesTextFormatUnlessOpenMetricsIsAskedFor() {
        assertEquals(TEXT_004, metrics.contentType(null));
        assertEquals(TEXT_004, metrics.contentType("*/*"));
        assertEquals(TEXT_004, metrics.contentType("text/plain"));
        assertEquals(OPENMETRICS, metrics.contentType("application/openmetrics-text; version=1.0.0"));
        assertEquals(OPENMETRICS, metrics.contentType(PROMETHEUS_ACCEPT));
    }

    @Test
    void writesOpenMetricsWhenAskedFor() {
        metrics.requestStarted();
        metrics.requestFinished(SampleRecords.chat().build());

        ScrapeText s = ScrapeText.of(metrics, "application/openmetrics-text; version=1.0.0");
        assertTrue(s.text.endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
        assertTrue(s.text.contains("# TYPE llm_requests counter\n"), "OpenMetrics names the family without _total");
        assertEquals(1.0, s.value("llm_requests_total", "api_key", "demo", "model", "gpt-4o", "provider", "openai",
                "endpoint", "chat_completions", "status", "200"));
    }

    @Test
    void writesTextFormatOtherwise() {
        metrics.requestStarted();
        metrics.requestFinished(SampleRecords.chat().build());

        ScrapeText s = ScrapeText.of(metrics, "text/plain");
        assertFalse(s.text.contains("# EOF"));
        assertTrue(s.text.contains("# TYPE llm_requests_total counter\n"));
        assertTrue(s.text.contains("# TYPE llm_request_duration_seconds histogram\n"));
        assertTrue(s.text.contains("# TYPE llm_requests_in_flight gauge\n"));
    }

    @Test
    void exposesJvmMetrics() {
        ScrapeText s = ScrapeText.of(metrics);
        assertNotNull(s.value("jvm_memory_bytes_used", "area", "heap"));
        assertTrue(s.value("jvm_threads_current") > 0);
        assertTrue(s.hasSampleNamed("process_cpu_seconds_total"));
        assertTrue(s.hasSampleNamed("jvm_gc_collection_seconds_count"));
        assertTrue(s.hasSampleNamed("jvm_buffer_pool_used_bytes"));
    }

    @Test
    void exposesNettyMemoryReadAtScrape() {
        ByteBuf held = PooledByteBufAllocator.DEFAULT.directBuffer(1024);
        try {
            ScrapeText s = ScrapeText.of(metrics);
            assertTrue(s.value("netty_pooled_allocator_used_direct_bytes") > 0, "a pooled direct buffer is held");
            assertNotNull(s.value("netty_pooled_allocator_used_heap_bytes"));
            long direct = PlatformDependent.usedDirectMemory();
            if (direct >= 0) {
                assertTrue(s.value("netty_direct_memory_used_bytes") >= 0);
            } else {
                assertFalse(s.hasSampleNamed("netty_direct_memory_used_bytes"), "no sentinel -1 is exported");
            }
        } finally {
            held.release();
        }
    }

    @Test
    void worksWithoutTheExemplarTracerBridges() {
        // They are excluded in the pom; simpleclient must then fall back to no exemplars, not fail.
        assertThrows(ClassNotFoundException.class,
                () -> Class.forName("io.prometheus.client.exemplars.tracer.otel.OpenTelemetrySpanContextSupplier"));
        metrics.requestStarted();
        metrics.requestFinished(SampleRecords.chat().build());
        ScrapeText s = ScrapeText.of(metrics, PROMETHEUS_ACCEPT);
        assertEquals(0.0, s.value("llm_requests_in_flight"));
        assertEquals(1.0, s.value("llm_requests_total", "api_key", "demo", "model", "gpt-4o", "provider", "openai",
                "endpoint", "chat_completions", "status", "200"));
    }
}
