package dev.llmgateway.accesslog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-written line formats against what they replaced: Jackson's generator for the JSON line and
 * {@code String} building for the console line, byte for byte.
 */
class AccessLogLineFormatTest {
    private static final JsonFactory JACKSON = new JsonFactory();
    private static final List<String> AWKWARD = List.of("", "plain", "quote\" backslash\\ slash/",
            "controls \b\t\n\f\r \u0000\u0001\u001f\u007f end", "é ß → 中文", "emoji 😀 pair",
            "lone high \ud83d here", "lone low \ude00 here", "ends high \ud83d", "\ud83d", "\uffff\u0800\u07ff\u0080");

    @Test
    void escapesStringsAsJacksonDoes() throws IOException {
        StringBuilder everyChar = new StringBuilder();
        for (char c = 0; c < 0x3000; c++) {
            everyChar.append(c);
        }
        List<String> strings = new ArrayList<>(AWKWARD);
        strings.add(everyChar.toString());
        for (String s : strings) {
            assertEquals(jackson(s), new String(bytes(new LineBatch(16).jsonString(s)), StandardCharsets.UTF_8),
                    s);
        }
    }

    @Test
    void writesConsoleTextAsStringEncodingDoes() {
        for (String s : AWKWARD) {
            assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), bytes(new LineBatch(4).text(s)), s);
        }
    }

    @Test
    void writesTimesAsTheFormatterDoes() {
        Random random = new Random(42);
        long[] edges = {0, -1, 951_782_400_000L, 4_107_542_399_999L, 253_402_300_799_999L, -62_167_219_200_000L};
        for (long millis : edges) {
            assertTime(millis);
        }
        for (int i = 0; i < 100_000; i++) {
            assertTime(random.nextLong(4_102_444_800_000L));
        }
    }

    @Test
    void writesNumbersAsJacksonDoes() throws IOException {
        Random random = new Random(7);
        long[] samples = {0, 1, 9, 10, 99, 100, 999, 1_000, 1_234_567, Long.MAX_VALUE, -1, Long.MIN_VALUE};
        for (long v : samples) {
            assertEquals(Long.toString(v), new String(bytes(new LineBatch(1).decimal(v)), StandardCharsets.US_ASCII));
        }
        for (int i = 0; i < 4_000; i++) {
            long nanos = i < 2_000 ? i * 997L : random.nextLong(20_000_000_000_000L);
            ExchangeRecord r = SampleRecords.chat().ttftNanos(nanos).durationNanos(nanos).overheadNanos(nanos)
                    .build();
            assertEquals(jacksonLine(r), line(AccessLog.Format.JSON, r), "nanos " + nanos);
            assertEquals(consoleLine(r), line(AccessLog.Format.CONSOLE, r), "nanos " + nanos);
        }
    }

    @Test
    void writesWholeLinesAsBefore() throws IOException {
        List<ExchangeRecord> records = new ArrayList<>(List.of(SampleRecords.chat().build(),
                SampleRecords.chat().rejectedBeforeRouting(401, "invalid_api_key").build(),
                SampleRecords.chat().uri("/v1/chat/completions?debug=1&x=\"y\"").stream(false)
                        .outcome(Outcome.CANCELLED_BY_CLIENT).status(499).tokens(3, -1, 0).build(),
                SampleRecords.chat().requestedModel(null).provider(null).errorType("timeout")
                        .outcome(Outcome.TIMEOUT).build(),
                SampleRecords.chat().traceId("4bf92f3577b34da6a3ce929d0e0e4736").build(),
                SampleRecords.chat().cost(30_000_000_000L, "provider", 3_000, 2_500).build(),
                SampleRecords.chat().cost(7L * 1_000_000_000_000L + 1, "streamed", 0, -1).build(),
                SampleRecords.chat().cost(0, "provider", -1, -1).build()));
        for (String s : AWKWARD) {
            records.add(SampleRecords.chat().requestId(s.isEmpty() ? "r" : s).keyName(s).requestedModel(s)
                    .modelLabel(s).provider(s).upstreamModel(s).errorType(s).uri("/v1/" + s).build());
        }
        for (ExchangeRecord r : records) {
            assertEquals(jacksonLine(r), line(AccessLog.Format.JSON, r));
            assertEquals(consoleLine(r), line(AccessLog.Format.CONSOLE, r));
        }
    }

    @Test
    void anOutsizedLineGrowsTheBatch() {
        String model = "m".repeat(100_000);
        LineBatch batch = new LineBatch(64);
        AccessLog.Format.JSON.write(SampleRecords.chat().requestedModel(model).build(), batch);

        assertEquals(1, batch.lines());
        assertTrue(new String(bytes(batch), StandardCharsets.UTF_8).contains("\"model\":\"" + model + "\""));
    }

    private static void assertTime(long millis) {
        assertEquals(RecordEncoders.TIME.format(Instant.ofEpochMilli(millis)),
                new String(bytes(RecordEncoders.time(millis, new LineBatch(8))), StandardCharsets.US_ASCII),
                "epoch millis " + millis);
    }

    private static byte[] bytes(LineBatch batch) {
        return Arrays.copyOf(batch.array(), batch.length());
    }

    private static String line(AccessLog.Format format, ExchangeRecord r) {
        LineBatch batch = new LineBatch(256);
        format.write(r, batch);
        assertEquals(1, batch.lines());
        return new String(bytes(batch), StandardCharsets.UTF_8);
    }

    private static String jackson(String s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JACKSON.createGenerator(out)) {
            g.writeString(s);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The JSON line as the Jackson encoder this format replaced wrote it. */
    private static String jacksonLine(ExchangeRecord r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JACKSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", RecordEncoders.TIME.format(Instant.ofEpochMilli(r.startEpochMillis())));
            g.writeStringField("request_id", r.requestId());
            g.writeStringField("trace_id", r.traceId());
            g.writeStringField("api_key", r.keyName());
            g.writeStringField("client", r.clientAddress());
            g.writeStringField("method", r.method());
            g.writeStringField("path", path(r));
            g.writeStringField("model", r.requestedModel());
            g.writeStringField("model_alias", r.modelLabel());
            g.writeStringField("provider", r.provider());
            g.writeStringField("upstream_model", r.upstreamModel());
            g.writeNumberField("status", r.status());
            g.writeBooleanField("stream", r.stream());
            jacksonMillis(g, "ttft_ms", r.timeToFirstTokenNanos());
            jacksonMillis(g, "duration_ms", r.durationNanos());
            g.writeFieldName("overhead_us");
            if (r.overheadNanos() >= 0) {
                g.writeNumber(Math.round(r.overheadNanos() / 1_000.0));
            } else {
                g.writeNull();
            }
            jacksonCount(g, "input_tokens", r.inputTokens());
            jacksonCount(g, "output_tokens", r.outputTokens());
            jacksonCount(g, "cached_input_tokens", r.cachedInputTokens());
            jacksonCount(g, "cache_write_tokens", r.cacheWriteTokens());
            jacksonCount(g, "reasoning_tokens", r.reasoningTokens());
            g.writeFieldName("cost_usd");
            if (r.costPicos() >= 0) {
                String plain = BigDecimal.valueOf(r.costPicos(), 12).stripTrailingZeros().toPlainString();
                g.writeNumber(plain.contains(".") ? plain : plain + ".0");
            } else {
                g.writeNull();
            }
            g.writeStringField("usage_source", r.usageSource());
            g.writeNumberField("bytes_in", r.bytesIn());
            g.writeNumberField("bytes_out", r.bytesOut());
            g.writeNumberField("attempts", r.attempts());
            g.writeStringField("outcome", r.outcome().label());
            g.writeStringField("error_type", r.errorType());
            g.writeEndObject();
        }
        return out.toString(StandardCharsets.UTF_8) + "\n";
    }

    private static void jacksonMillis(JsonGenerator g, String name, long nanos) throws IOException {
        g.writeFieldName(name);
        if (nanos >= 0) {
            g.writeNumber(Math.round(nanos / 1_000.0) / 1_000.0);
        } else {
            g.writeNull();
        }
    }

    private static void jacksonCount(JsonGenerator g, String name, long count) throws IOException {
        g.writeFieldName(name);
        if (count >= 0) {
            g.writeNumber(count);
        } else {
            g.writeNull();
        }
    }

    /** The console line as the {@code StringBuilder} encoder this format replaced wrote it. */
    private static String consoleLine(ExchangeRecord r) {
        StringBuilder line = new StringBuilder()
                .append(RecordEncoders.TIME.format(Instant.ofEpochMilli(r.startEpochMillis()))).append(' ')
                .append(r.status()).append(' ').append(r.method()).append(' ').append(path(r)).append(' ')
                .append(r.keyName() != null ? r.keyName() : "-").append(' ');
        String model = r.requestedModel() != null ? r.requestedModel() : r.modelLabel();
        line.append(model != null ? model : "-");
        if (r.provider() != null) {
            line.append('→').append(r.provider());
        }
        tenths(line.append(' '), r.durationNanos()).append("ms");
        if (r.timeToFirstTokenNanos() >= 0) {
            tenths(line.append(" ttft="), r.timeToFirstTokenNanos()).append("ms");
        }
        if (r.inputTokens() >= 0) {
            line.append(" in=").append(r.inputTokens());
        }
        if (r.outputTokens() >= 0) {
            line.append(" out=").append(r.outputTokens());
        }
        if (r.outcome() != Outcome.COMPLETED) {
            line.append(' ').append(r.outcome().label());
        }
        if (r.errorType() != null) {
            line.append(" error=").append(r.errorType());
        }
        line.append(' ').append(r.requestId());
        if (r.traceId() != null) {
            line.append(" trace=").append(r.traceId());
        }
        line.append('\n');
        return new String(line.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    private static StringBuilder tenths(StringBuilder sb, long nanos) {
        long tenthsOfMs = Math.round(nanos / 100_000.0);
        return sb.append(tenthsOfMs / 10).append('.').append(tenthsOfMs % 10);
    }

    private static String path(ExchangeRecord r) {
        int query = r.uri().indexOf('?');
        return query < 0 ? r.uri() : r.uri().substring(0, query);
    }
}
