package dev.llmgateway.accesslog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class AccessLogJsonTest {
    private static final JsonFactory JSON = new JsonFactory();

    @Test
    void writesEveryFieldInOrder() throws IOException {
        ExchangeRecord r = SampleRecords.chat().tokens(12, 34, 8).cost(1_234_500_000_000L, "provider", 2, 5)
                .attempts(2).traceId("4bf92f3577b34da6a3ce929d0e0e4736").build();

        Map<String, Object> line = parse(logAll(r).get(0));

        assertEquals(List.of("time", "request_id", "trace_id", "api_key", "client", "method", "path", "model",
                "model_alias", "provider", "upstream_model", "status", "stream", "ttft_ms", "duration_ms", "overhead_us",
                "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "reasoning_tokens",
                "cost_usd", "usage_source", "bytes_in", "bytes_out", "attempts", "outcome", "error_type"),
                new ArrayList<>(line.keySet()));
        assertEquals("2026-11-22T06:00:00.000Z", line.get("time"));
        assertEquals("req_abc", line.get("request_id"));
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", line.get("trace_id"));
        assertEquals("demo", line.get("api_key"));
        assertEquals("10.0.0.7", line.get("client"));
        assertEquals("POST", line.get("method"));
        assertEquals("/v1/chat/completions", line.get("path"));
        assertEquals("gpt-4o", line.get("model"));
        assertEquals("gpt-4o", line.get("model_alias"));
        assertEquals("openai", line.get("provider"));
        assertEquals("gpt-4o-2024-08-06", line.get("upstream_model"));
        assertEquals(200L, line.get("status"));
        assertEquals(true, line.get("stream"));
        assertEquals(45.0, line.get("ttft_ms"));
        assertEquals(123.4, line.get("duration_ms"));
        assertEquals(35L, line.get("overhead_us"));
        assertEquals(12L, line.get("input_tokens"));
        assertEquals(34L, line.get("output_tokens"));
        assertEquals(8L, line.get("cached_input_tokens"));
        assertEquals(2L, line.get("cache_write_tokens"));
        assertEquals(5L, line.get("reasoning_tokens"));
        assertEquals(1.2345, line.get("cost_usd"));
        assertEquals("provider", line.get("usage_source"));
        assertEquals(210L, line.get("bytes_in"));
        assertEquals(4096L, line.get("bytes_out"));
        assertEquals(2L, line.get("attempts"));
        assertEquals("completed", line.get("outcome"));
        assertNull(line.get("error_type"));
    }

    /** Every significant digit of a picodollar amount, as a plain JSON number (no E notation, no rounding). */
    @Test
    void writesCostExactly() throws IOException {
        for (long[] pair : new long[][]{{415_000_000L, 415}, {3_000_000_000_000L, 0}, {1L, 1}, {0L, 0}}) {
            ExchangeRecord r = SampleRecords.chat().cost(pair[0], "provider", -1, -1).build();
            String line = logAll(r).get(0);
            String written = line.substring(line.indexOf("\"cost_usd\":") + 11, line.indexOf(",\"usage_source\""));
            assertEquals(new java.math.BigDecimal(pair[0]).movePointLeft(12).stripTrailingZeros(),
                    new java.math.BigDecimal(written).stripTrailingZeros(), written);
        }
        ExchangeRecord cheap = SampleRecords.chat().cost(415_000_000L, "provider", -1, -1).build();
        assertEquals(0.000415, parse(logAll(cheap).get(0)).get("cost_usd"));
        ExchangeRecord tiny = SampleRecords.chat().cost(1L, "streamed", -1, -1).build();
        String line = logAll(tiny).get(0);
        assertEquals(true, line.contains("\"cost_usd\":0.000000000001,"), line);
    }

    @Test
    void writesNullForWhatIsUnknown() throws IOException {
        ExchangeRecord r = SampleRecords.chat().rejectedBeforeRouting(401, "invalid_api_key").build();

        Map<String, Object> line = parse(logAll(r).get(0));

        for (String field : List.of("trace_id", "api_key", "model", "model_alias", "provider", "upstream_model",
                "ttft_ms", "overhead_us", "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens",
                "reasoning_tokens", "cost_usd", "usage_source")) {
            assertNull(line.get(field), field);
        }
        assertEquals(28, line.size(), "null fields are written, not left out");
        assertEquals(401L, line.get("status"));
        assertEquals("rejected", line.get("outcome"));
        assertEquals("invalid_api_key", line.get("error_type"));
    }

    @Test
    void keepsFractionalMillisecondsAndEscapesText() throws IOException {
        ExchangeRecord r = SampleRecords.chat().ttftNanos(1_234_567).durationNanos(2_000_000_500L)
                .requestedModel("we\"ird\nmodel").build();

        Map<String, Object> line = parse(logAll(r).get(0));

        assertEquals(1.235, line.get("ttft_ms"));
        assertEquals(2000.001, line.get("duration_ms"));
        assertEquals("we\"ird\nmodel", line.get("model"));
    }

    @Test
    void writesOneLinePerRecordInOrder() throws IOException {
        List<String> lines = logAll(SampleRecords.chat().requestId("req_1").build(),
                SampleRecords.chat().requestId("req_2").build(), SampleRecords.chat().requestId("req_3").build());

        assertEquals(3, lines.size());
        for (int i = 0; i < 3; i++) {
            assertEquals("req_" + (i + 1), parse(lines.get(i)).get("request_id"));
        }
    }

    @Test
    void appendsToAFileAcrossOpens(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("logs/access.log");
        try (AccessLog log = AccessLog.open(file.toString(), AccessLog.Format.JSON, 16)) {
            log.log(SampleRecords.chat().requestId("req_1").build());
        }
        try (AccessLog log = AccessLog.open(file.toString(), AccessLog.Format.JSON, 16)) {
            log.log(SampleRecords.chat().requestId("req_2").build());
        }

        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        assertEquals("req_1", parse(lines.get(0)).get("request_id"));
        assertEquals("req_2", parse(lines.get(1)).get("request_id"));
    }

    /** Logs the records, closes the log (which drains it) and returns the lines written. */
    static List<String> logAll(ExchangeRecord... records) {
        return logAll(AccessLog.Format.JSON, records);
    }

    static List<String> logAll(AccessLog.Format format, ExchangeRecord... records) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (AccessLog log = new AccessLog(sink, true, format, 64, Duration.ofSeconds(5))) {
            for (ExchangeRecord r : records) {
                log.log(r);
            }
        }
        return sink.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** One line as field name → String, Long, Double, Boolean or null, in the order written. */
    private static Map<String, Object> parse(String line) throws IOException {
        Map<String, Object> fields = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(line)) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken());
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                fields.put(name, switch (value) {
                    case VALUE_STRING -> p.getText();
                    case VALUE_NUMBER_INT -> p.getLongValue();
                    case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
                    case VALUE_TRUE, VALUE_FALSE -> p.getBooleanValue();
                    case VALUE_NULL -> null;
                    default -> throw new AssertionError("unexpected " + value + " for " + name);
                });
            }
            assertNull(p.nextToken(), "one object per line");
        }
        return fields;
    }
}
