package dev.llmgateway.accesslog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The two access-log line formats. Both run on the writer thread only. */
final class RecordEncoders {
    /** Generators neither close nor flush the shared stream: the writer flushes once per drained batch. */
    static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
            .build();

    /** Fixed width (always milliseconds), so lines line up and sort as text. */
    static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

    private static final byte[] NEWLINE = {'\n'};

    private RecordEncoders() {
    }

    static AsyncWriter.Encoder<ExchangeRecord> of(AccessLog.Format format) {
        return format == AccessLog.Format.JSON ? RecordEncoders::writeJson : RecordEncoders::writeConsole;
    }

    static void writeJson(ExchangeRecord r, OutputStream out) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", TIME.format(Instant.ofEpochMilli(r.startEpochMillis())));
            g.writeStringField("request_id", r.requestId());
            g.writeStringField("api_key", r.keyName());
            g.writeStringField("client", r.clientAddress());
            g.writeStringField("method", r.method());
            g.writeStringField("path", r.path());
            g.writeStringField("model", r.requestedModel());
            g.writeStringField("model_alias", r.modelLabel());
            g.writeStringField("provider", r.provider());
            g.writeStringField("upstream_model", r.upstreamModel());
            g.writeNumberField("status", r.status());
            g.writeBooleanField("stream", r.stream());
            writeMillis(g, "ttft_ms", r.timeToFirstTokenNanos());
            writeMillis(g, "duration_ms", r.durationNanos());
            g.writeFieldName("overhead_us");
            if (r.overheadNanos() >= 0) {
                g.writeNumber(Math.round(r.overheadNanos() / 1_000.0));
            } else {
                g.writeNull();
            }
            writeCount(g, "input_tokens", r.inputTokens());
            writeCount(g, "output_tokens", r.outputTokens());
            writeCount(g, "cached_input_tokens", r.cachedInputTokens());
            g.writeNumberField("bytes_in", r.bytesIn());
            g.writeNumberField("bytes_out", r.bytesOut());
            g.writeNumberField("attempts", r.attempts());
            g.writeStringField("outcome", r.outcome().label());
            g.writeStringField("error_type", r.errorType());
            g.writeEndObject();
        }
        out.write(NEWLINE);
    }

    /** e.g. {@code 2026-11-22T06:00:00.000Z 200 POST /v1/chat/completions demo gpt-4o→openai 123.4ms ttft=45.0ms in=12 out=34 req_abc} */
    static void writeConsole(ExchangeRecord r, OutputStream out) throws IOException {
        StringBuilder line = new StringBuilder(160)
                .append(TIME.format(Instant.ofEpochMilli(r.startEpochMillis()))).append(' ')
                .append(r.status()).append(' ')
                .append(r.method()).append(' ')
                .append(r.path()).append(' ')
                .append(orDash(r.keyName())).append(' ')
                .append(orDash(r.requestedModel() != null ? r.requestedModel() : r.modelLabel()));
        if (r.provider() != null) {
            line.append('→').append(r.provider());
        }
        line.append(' ');
        appendMillis(line, r.durationNanos()).append("ms");
        if (r.timeToFirstTokenNanos() >= 0) {
            appendMillis(line.append(" ttft="), r.timeToFirstTokenNanos()).append("ms");
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
        line.append(' ').append(r.requestId()).append('\n');
        out.write(line.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Milliseconds with microsecond precision; finer digits of a nanosecond clock are noise. */
    private static void writeMillis(JsonGenerator g, String name, long nanos) throws IOException {
        g.writeFieldName(name);
        if (nanos >= 0) {
            g.writeNumber(Math.round(nanos / 1_000.0) / 1_000.0);
        } else {
            g.writeNull();
        }
    }

    private static void writeCount(JsonGenerator g, String name, long count) throws IOException {
        g.writeFieldName(name);
        if (count >= 0) {
            g.writeNumber(count);
        } else {
            g.writeNull();
        }
    }

    private static StringBuilder appendMillis(StringBuilder sb, long nanos) {
        long tenthsOfMs = Math.round(nanos / 100_000.0);
        return sb.append(tenthsOfMs / 10).append('.').append(tenthsOfMs % 10);
    }

    private static String orDash(String s) {
        return s != null ? s : "-";
    }
}
