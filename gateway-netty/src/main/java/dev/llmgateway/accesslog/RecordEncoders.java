package dev.llmgateway.accesslog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.llmgateway.cost.Usd;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import static dev.llmgateway.accesslog.LineBatch.ascii;

/**
 * The two access-log line formats, written straight into a {@link LineBatch} on the event loop that finished the
 * request: field names are constant bytes, numbers and the time are written digit by digit, strings are escaped
 * as they are copied, so a line costs no object, string or boxed number.
 */
final class RecordEncoders {
    /** For the body capture's generators: they neither close nor flush the shared stream. */
    static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
            .build();

    /** Fixed width (always milliseconds), so lines line up and sort as text. */
    static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

    private static final long MILLIS_PER_DAY = 86_400_000L;
    /** From here on Double.toString, which the JSON numbers follow, switches to E notation. */
    private static final long E_NOTATION_MICROS = 10_000_000_000L;

    private static final byte[] TIME_FIELD = ascii("{\"time\":\"");
    private static final byte[] REQUEST_ID = field("request_id");
    private static final byte[] TRACE_ID = field("trace_id");
    private static final byte[] API_KEY = field("api_key");
    private static final byte[] CLIENT = field("client");
    private static final byte[] METHOD = field("method");
    private static final byte[] PATH = field("path");
    private static final byte[] MODEL = field("model");
    private static final byte[] MODEL_ALIAS = field("model_alias");
    private static final byte[] PROVIDER = field("provider");
    private static final byte[] UPSTREAM_MODEL = field("upstream_model");
    private static final byte[] STATUS = field("status");
    private static final byte[] STREAM = field("stream");
    private static final byte[] TTFT_MS = field("ttft_ms");
    private static final byte[] DURATION_MS = field("duration_ms");
    private static final byte[] OVERHEAD_US = field("overhead_us");
    private static final byte[] INPUT_TOKENS = field("input_tokens");
    private static final byte[] OUTPUT_TOKENS = field("output_tokens");
    private static final byte[] CACHED_INPUT_TOKENS = field("cached_input_tokens");
    private static final byte[] BYTES_IN = field("bytes_in");
    private static final byte[] BYTES_OUT = field("bytes_out");
    private static final byte[] ATTEMPTS = field("attempts");
    private static final byte[] OUTCOME = field("outcome");
    private static final byte[] ERROR_TYPE = field("error_type");
    private static final byte[] CACHE_WRITE_TOKENS = field("cache_write_tokens");
    private static final byte[] REASONING_TOKENS = field("reasoning_tokens");
    private static final byte[] COST_USD = field("cost_usd");
    private static final byte[] USAGE_SOURCE = field("usage_source");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");

    private static final byte[] DASH = ascii("-");
    private static final byte[] ARROW = "→".getBytes(StandardCharsets.UTF_8);
    private static final byte[] MS = ascii("ms");
    private static final byte[] TTFT = ascii(" ttft=");
    private static final byte[] IN = ascii(" in=");
    private static final byte[] OUT = ascii(" out=");
    private static final byte[] ERROR = ascii(" error=");
    private static final byte[] TRACE = ascii(" trace=");

    private RecordEncoders() {
    }

    /** One JSON object per line; every field always present, {@code null} when unknown. */
    static void writeJson(ExchangeRecord r, LineBatch out) {
        time(r.startEpochMillis(), out.put(TIME_FIELD)).put('"');
        out.put(REQUEST_ID).jsonString(r.requestId());
        out.put(TRACE_ID).jsonString(r.traceId());
        out.put(API_KEY).jsonString(r.keyName());
        out.put(CLIENT).jsonString(r.clientAddress());
        out.put(METHOD).jsonString(r.method());
        out.put(PATH).jsonString(r.uri(), r.pathEnd());
        out.put(MODEL).jsonString(r.requestedModel());
        out.put(MODEL_ALIAS).jsonString(r.modelLabel());
        out.put(PROVIDER).jsonString(r.provider());
        out.put(UPSTREAM_MODEL).jsonString(r.upstreamModel());
        out.put(STATUS).decimal(r.status());
        out.put(STREAM).put(r.stream() ? TRUE : FALSE);
        millis(r.timeToFirstTokenNanos(), out.put(TTFT_MS));
        millis(r.durationNanos(), out.put(DURATION_MS));
        out.put(OVERHEAD_US).count(r.overheadNanos() < 0 ? -1 : Math.round(r.overheadNanos() / 1_000.0));
        out.put(INPUT_TOKENS).count(r.inputTokens());
        out.put(OUTPUT_TOKENS).count(r.outputTokens());
        out.put(CACHED_INPUT_TOKENS).count(r.cachedInputTokens());
        out.put(CACHE_WRITE_TOKENS).count(r.cacheWriteTokens());
        out.put(REASONING_TOKENS).count(r.reasoningTokens());
        usd(r.costPicos(), out.put(COST_USD));
        out.put(USAGE_SOURCE).jsonString(r.usageSource());
        out.put(BYTES_IN).decimal(r.bytesIn());
        out.put(BYTES_OUT).decimal(r.bytesOut());
        out.put(ATTEMPTS).decimal(r.attempts());
        out.put(OUTCOME).jsonString(r.outcome().label());
        out.put(ERROR_TYPE).jsonString(r.errorType());
        out.put('}').endLine();
    }

    /** e.g. {@code 2026-11-22T06:00:00.000Z 200 POST /v1/chat/completions demo gpt-4o→openai 123.4ms ttft=45.0ms in=12 out=34 req_abc} */
    static void writeConsole(ExchangeRecord r, LineBatch out) {
        time(r.startEpochMillis(), out).put(' ');
        out.decimal(r.status()).put(' ');
        out.text(r.method()).put(' ');
        out.text(r.uri(), r.pathEnd()).put(' ');
        orDash(r.keyName(), out).put(' ');
        orDash(r.requestedModel() != null ? r.requestedModel() : r.modelLabel(), out);
        if (r.provider() != null) {
            out.put(ARROW).text(r.provider());
        }
        tenthsOfMillis(r.durationNanos(), out.put(' ')).put(MS);
        if (r.timeToFirstTokenNanos() >= 0) {
            tenthsOfMillis(r.timeToFirstTokenNanos(), out.put(TTFT)).put(MS);
        }
        if (r.inputTokens() >= 0) {
            out.put(IN).decimal(r.inputTokens());
        }
        if (r.outputTokens() >= 0) {
            out.put(OUT).decimal(r.outputTokens());
        }
        if (r.outcome() != Outcome.COMPLETED) {
            out.put(' ').text(r.outcome().label());
        }
        if (r.errorType() != null) {
            out.put(ERROR).text(r.errorType());
        }
        out.put(' ').text(r.requestId());
        if (r.traceId() != null) {
            out.put(TRACE).text(r.traceId());
        }
        out.endLine();
    }

    /** As {@link #TIME} formats it, computed from the epoch day rather than through {@code java.time} objects. */
    static LineBatch time(long epochMillis, LineBatch out) {
        long epochDay = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
        int millisOfDay = (int) Math.floorMod(epochMillis, MILLIS_PER_DAY);
        // Civil date from a day count (proleptic Gregorian, eras of 400 years), after Howard Hinnant's algorithm.
        long shifted = epochDay + 719_468;
        long era = Math.floorDiv(shifted, 146_097);
        int dayOfEra = (int) (shifted - era * 146_097);
        int yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        int dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        int monthIndex = (5 * dayOfYear + 2) / 153;
        int day = dayOfYear - (153 * monthIndex + 2) / 5 + 1;
        int month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        if (year < 0 || year > 9_999) {
            // The formatter signs years outside four digits; a clock that far off may cost a string.
            return out.text(TIME.format(Instant.ofEpochMilli(epochMillis)));
        }
        return out.padded((int) year, 4).put('-').padded(month, 2).put('-').padded(day, 2)
                .put('T').padded(millisOfDay / 3_600_000, 2)
                .put(':').padded(millisOfDay / 60_000 % 60, 2)
                .put(':').padded(millisOfDay / 1_000 % 60, 2)
                .put('.').padded(millisOfDay % 1_000, 3).put('Z');
    }

    /**
     * Milliseconds with microsecond precision (finer digits of a nanosecond clock are noise), written as Jackson
     * writes the double {@code micros / 1000.0}: Double.toString's shortest form, at least one decimal.
     */
    private static void millis(long nanos, LineBatch out) {
        if (nanos < 0) {
            out.nullValue();
            return;
        }
        long micros = Math.round(nanos / 1_000.0);
        if (micros >= E_NOTATION_MICROS) {
            // Streams of over 2.7 hours: rare enough to pay for the string.
            out.text(Double.toString(micros / 1_000.0));
            return;
        }
        int fraction = (int) (micros % 1_000);
        out.decimal(micros / 1_000).put('.');
        if (fraction % 100 == 0) {
            out.padded(fraction / 100, 1);
        } else if (fraction % 10 == 0) {
            out.padded(fraction / 10, 2);
        } else {
            out.padded(fraction, 3);
        }
    }

    /** Dollars as a JSON number with every significant digit of the picodollars ({@code 0.000415}); null when unknown. */
    private static void usd(long picos, LineBatch out) {
        if (picos < 0) {
            out.nullValue();
            return;
        }
        out.decimal(Usd.dollars(picos)).put('.').padded(Usd.fraction(picos), Usd.fractionDigits(picos));
    }

    private static LineBatch tenthsOfMillis(long nanos, LineBatch out) {
        long tenths = Math.round(nanos / 100_000.0);
        return out.decimal(tenths / 10).put('.').padded((int) (tenths % 10), 1);
    }

    private static LineBatch orDash(String s, LineBatch out) {
        return s != null ? out.text(s) : out.put(DASH);
    }

    private static byte[] field(String name) {
        return ascii(",\"" + name + "\":");
    }
}
