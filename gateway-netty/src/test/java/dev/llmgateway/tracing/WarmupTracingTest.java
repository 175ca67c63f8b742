package dev.llmgateway.tracing;

import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.accesslog.Outcome;
import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.config.GatewayConfig;
import dev.llmgateway.testutil.OtlpReceiver;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The startup warm-up's tracing: it records every request, whatever the sampling says, so that the traced path is
 * what the JIT compiles; and a collector never sees one of its spans.
 */
class WarmupTracingTest {
    private final OtlpReceiver collector = new OtlpReceiver();

    WarmupTracingTest() throws Exception {
    }

    @AfterEach
    void stop() {
        collector.close();
    }

    private GatewayConfig config(String sampling) throws Exception {
        return ConfigLoader.parse("""
                [[api_keys]]
                name = "tester"
                key = "gw-test-0123456789abcdef0123456789abcdef"

                [providers.up]
                type = "openai_compatible"
                base_url = "http://127.0.0.1:9/v1"

                [tracing]
                enabled = true
                endpoint = "%s"
                export_delay = "50ms"
                %s
                """.formatted(collector.endpoint(), sampling), "test.toml", Map.of());
    }

    private static ServerSpan begin(Tracing tracing) {
        return (ServerSpan) tracing.begin(new DefaultHttpHeaders(), "POST", "/v1/chat/completions",
                "chat_completions", System.nanoTime());
    }

    @Test
    void theWarmupRecordsEveryRequestEvenWhenNoneIsSampled() throws Exception {
        try (Tracing tracing = Tracing.start(config("sample_ratio = 0.0").observability().tracing(), 0);
             Tracing warmup = tracing.forWarmup()) {
            assertTrue(!begin(tracing).sampled(), "the gateway's own sampling keeps none");
            assertTrue(begin(warmup).sampled(), "the warm-up records every request");
        }
    }

    @Test
    void noWarmupSpanIsExported() throws Exception {
        Tracing tracing = Tracing.start(config("").observability().tracing(), 0);
        ServerSpan real;
        try {
            try (Tracing warmup = tracing.forWarmup()) {
                for (int i = 0; i < 20; i++) {
                    end(begin(warmup));
                }
            } // closing exports what the warm-up queued: nothing must leave
            real = begin(tracing);
            end(real);
        } finally {
            tracing.close();
        }

        collector.awaitTrace(real.traceId(), 1, Duration.ofSeconds(10));
        assertEquals(1, collector.spans().size(), "only the real request's span: " + collector.spans());
    }

    @Test
    void offHasAnOffWarmup() {
        assertSame(Tracing.OFF, Tracing.OFF.forWarmup());
    }

    private static void end(ServerSpan span) {
        span.ended(new ExchangeRecord().set(System.currentTimeMillis(), "req_1", "tester", "127.0.0.1", "POST",
                "/v1/chat/completions", "chat_completions", "m", "m", "up", "m", 200, false, -1, 1_000, -1, -1, -1,
                -1, 10, 10, 1, Outcome.COMPLETED, null));
    }
}
