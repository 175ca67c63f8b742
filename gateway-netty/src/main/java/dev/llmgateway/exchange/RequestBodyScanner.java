package dev.llmgateway.exchange;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.cost.Usd;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.json.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.util.concurrent.FastThreadLocal;

import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body once with Jackson's streaming parser: validates that it is one well-formed JSON object
 * (UTF-8 included), and picks out {@code model} (with its byte span, for the splice), {@code stream} and
 * {@code stream_options.include_usage}, and the output cap a budget reserves for ({@code max_tokens},
 * {@code max_completion_tokens}, {@code max_output_tokens}, times {@code n}), and the sampling settings traces report
 * ({@link dev.llmgateway.dialect.SamplingParameters}). Nested values are skipped, never built.
 */
public final class RequestBodyScanner {
    /** 10^0 to 10^15, each exact as a double. */
    private static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
        1e13, 1e14, 1e15};

    /** The largest body parsed from the thread's scratch copy. */
    private static final int SCRATCH_BYTES = 64 * 1024;
    /** One per event loop, reused by each scan on it (a scan never outlives its call). */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[SCRATCH_BYTES];
        }
    };

    private RequestBodyScanner() {
    }

    /** Thrown for a body the gateway must refuse with 400; carries the error to send. */
    public static final class InvalidBody extends Exception {
        private final transient ApiError error;

        InvalidBody(ApiError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }

        public ApiError error() {
            return error;
        }
    }

    public static RequestFacts scan(ByteBuf content) throws InvalidBody {
        return scan(content, null, false);
    }

    /**
     * A Gemini request: the model is the one its path names and {@code stream} its method's; a {@code model} in
     * the body means nothing, and the output cap is {@code generationConfig.maxOutputTokens} times
     * {@code candidateCount}.
     */
    public static RequestFacts scanGemini(ByteBuf content, String pathModel, boolean stream) throws InvalidBody {
        return scan(content, pathModel, stream);
    }

    private static RequestFacts scan(ByteBuf content, String pathModel, boolean pathStream) throws InvalidBody {
        if (!content.isReadable()) {
            throw new InvalidBody(ApiError.badRequest("invalid_json", null,
                    "The request body is empty; a JSON object is expected."));
        }
        int base = content.readerIndex();
        try (JsonParser parser = parserOver(content)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidBody(ApiError.badRequest("invalid_json", null,
                        "The request body must be a JSON object."));
            }
            boolean gemini = pathModel != null;
            String model = pathModel;
            int modelStart = -1;
            int modelEnd = -1;
            boolean stream = pathStream;
            boolean modelSeen = gemini;
            StreamOptions options = StreamOptions.ABSENT;
            long maxTokens = -1;
            long choices = 1;
            long requestedMaxTokens = -1;
            double temperature = Double.NaN;
            double topP = Double.NaN;
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (gemini) {
                    if (value == JsonToken.START_OBJECT && field.equals("generationConfig")) {
                        long[] cap = readGenerationConfig(parser);
                        maxTokens = cap[0];
                        choices = cap[1];
                    } else {
                        parser.skipChildren();
                    }
                    continue;
                }
                switch (field) {
                    case "model" -> {
                        modelSeen = true;
                        model = null;
                        if (value == JsonToken.VALUE_STRING) {
                            modelStart = base + (int) parser.currentTokenLocation().getByteOffset();
                            model = parser.getText();
                            modelEnd = base + (int) parser.currentLocation().getByteOffset();
                        }
                        parser.skipChildren();
                    }
                    case "stream" -> {
                        stream = value == JsonToken.VALUE_TRUE;
                        parser.skipChildren();
                    }
                    case "stream_options" -> {
                        if (value == JsonToken.START_OBJECT) {
                            options = readStreamOptions(parser, base);
                        } else {
                            parser.skipChildren();
                        }
                    }
                    case "max_tokens", "max_completion_tokens", "max_output_tokens" -> {
                        if (value == JsonToken.VALUE_NUMBER_INT) {
                            requestedMaxTokens = parser.getLongValue();
                            maxTokens = Math.max(maxTokens, requestedMaxTokens);
                        }
                        parser.skipChildren();
                    }
                    case "temperature" -> {
                        temperature = number(value) ? decimal(parser) : temperature;
                        parser.skipChildren();
                    }
                    case "top_p" -> {
                        topP = number(value) ? decimal(parser) : topP;
                        parser.skipChildren();
                    }
                    case "n" -> {
                        if (value == JsonToken.VALUE_NUMBER_INT) {
                            choices = Math.max(1, parser.getLongValue());
                        }
                        parser.skipChildren();
                    }
                    default -> parser.skipChildren();
                }
            }
            int objectEnd = base + (int) parser.currentTokenLocation().getByteOffset();
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw new InvalidBody(ApiError.badRequest("invalid_json", null,
                        "The request body must hold exactly one JSON object."));
            }
            if (!modelSeen) {
                throw new InvalidBody(ApiError.badRequest("missing_required_parameter", "model",
                        "You must provide a model parameter."));
            }
            if (model == null || model.isEmpty()) {
                throw new InvalidBody(ApiError.badRequest("invalid_type", "model",
                        "The model parameter must be a non-empty string."));
            }
            return new RequestFacts(model, modelStart, modelEnd, stream, options.includeUsage, objectEnd, options.start,
                    options.empty, options.includeUsageStart, options.includeUsageEnd,
                    maxTokens < 0 ? -1 : Usd.saturatingMultiplyAdd(maxTokens, choices, 0), requestedMaxTokens,
                    temperature, topP);
        } catch (CharConversionException e) {
            throw invalidUtf8();
        } catch (JsonParseException e) {
            if (e.getOriginalMessage().startsWith("Invalid UTF-8")) {
                throw invalidUtf8();
            }
            throw new InvalidBody(ApiError.badRequest("invalid_json", null,
                    "We could not parse the JSON body of your request: " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new InvalidBody(ApiError.badRequest("invalid_json", null,
                    "We could not read the JSON body of your request."));
        }
    }

    /**
     * A parser over the body's bytes. A body up to {@link #SCRATCH_BYTES} is copied into the thread's scratch array
     * and parsed from there: the same one copy the stream would make into the parser's own buffer, without the
     * stream, its buffer and its reads. A larger one is streamed.
     */
    private static JsonParser parserOver(ByteBuf content) throws IOException {
        int length = content.readableBytes();
        if (content.hasArray()) {
            return Json.FACTORY.createParser(content.array(), content.arrayOffset() + content.readerIndex(), length);
        }
        if (length > SCRATCH_BYTES) {
            return Json.FACTORY.createParser((InputStream) new ByteBufInputStream(content.duplicate()));
        }
        byte[] scratch = SCRATCH.get();
        content.getBytes(content.readerIndex(), scratch, 0, length);
        return Json.FACTORY.createParser(scratch, 0, length);
    }

    private static boolean number(JsonToken token) {
        return token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT;
    }

    /**
     * The number's value. A plain decimal of at most 15 digits (every usual sampling setting: {@code 0.7},
     * {@code 1}) is read from the parser's own chars, where Jackson would make a String first: the scan runs for
     * every request, traced or not. Its digits and the power of ten are exact doubles, so one division rounds
     * correctly, as {@link Double#parseDouble} does; anything else (an exponent, more digits) is Jackson's.
     */
    private static double decimal(JsonParser parser) throws IOException {
        char[] chars = parser.getTextCharacters();
        int at = parser.getTextOffset();
        int end = at + parser.getTextLength();
        boolean negative = at < end && chars[at] == '-';
        long digits = 0;
        int count = 0;
        int decimals = -1;
        for (at += negative ? 1 : 0; at < end; at++) {
            char c = chars[at];
            if (c >= '0' && c <= '9' && count < 15) {
                digits = digits * 10 + (c - '0');
                count++;
                decimals += decimals >= 0 ? 1 : 0;
            } else if (c == '.' && decimals < 0) {
                decimals = 0;
            } else {
                return parser.getDoubleValue();
            }
        }
        double value = decimals > 0 ? digits / POWERS_OF_TEN[decimals] : digits;
        return negative ? -value : value;
    }

    private static InvalidBody invalidUtf8() {
        return new InvalidBody(ApiError.badRequest("invalid_encoding", null, "The request body is not valid UTF-8."));
    }

    /** Gemini's {@code maxOutputTokens} (or -1) and {@code candidateCount} (or 1); leaves the parser on END_OBJECT. */
    private static long[] readGenerationConfig(JsonParser parser) throws IOException {
        long[] cap = {-1, 1};
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            if (parser.nextToken() == JsonToken.VALUE_NUMBER_INT && name.equals("maxOutputTokens")) {
                cap[0] = parser.getLongValue();
            } else if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT && name.equals("candidateCount")) {
                cap[1] = Math.max(1, parser.getLongValue());
            } else {
                parser.skipChildren();
            }
        }
        return cap;
    }

    /** Where {@code stream_options} and its {@code include_usage} sit, for the gateway's own usage request. */
    private record StreamOptions(boolean includeUsage, int start, boolean empty, int includeUsageStart,
                                 int includeUsageEnd) {
        static final StreamOptions ABSENT = new StreamOptions(false, -1, false, -1, -1);
    }

    /** Reads the members of {@code stream_options}, leaving the parser on its END_OBJECT. */
    private static StreamOptions readStreamOptions(JsonParser parser, int base) throws IOException {
        int start = base + (int) parser.currentTokenLocation().getByteOffset();
        boolean empty = true;
        boolean includeUsage = false;
        int valueStart = -1;
        int valueEnd = -1;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            empty = false;
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("include_usage".equals(name)) {
                includeUsage = value == JsonToken.VALUE_TRUE;
                valueStart = base + (int) parser.currentTokenLocation().getByteOffset();
                parser.skipChildren();
                valueEnd = base + (int) parser.currentLocation().getByteOffset();
            } else {
                parser.skipChildren();
            }
        }
        return new StreamOptions(includeUsage, start, empty, valueStart, valueEnd);
    }
}
