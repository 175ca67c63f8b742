package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.TokenUsage;
import dev.llmgateway.json.BytePattern;
import dev.llmgateway.json.Json;
import dev.llmgateway.json.JsonBytes;
import dev.llmgateway.json.JsonSpans;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.io.IOException;

/**
 * Reads OpenAI-style usage out of a response body or stream event: finds the bytes {@code "usage"} first (most
 * events have none, or {@code "usage":null}) and parses only the object that follows. Understands Chat and
 * Completions ({@code prompt_tokens}, {@code completion_tokens}, {@code prompt_tokens_details.cached_tokens}) and
 * Responses ({@code input_tokens}, {@code output_tokens}, {@code input_tokens_details.cached_tokens}), and
 * Anthropic's Messages, whose {@code input_tokens} leave out the cache reads and writes it counts apart
 * ({@code cache_read_input_tokens}, {@code cache_creation_input_tokens}: added back in, the read ones are the
 * cached input), wherever the object sits (the Responses stream nests it in {@code response}, Anthropic's
 * {@code message_start} in {@code message}). Holds no state.
 */
public final class UsageReader {
    private static final BytePattern USAGE_KEY = new BytePattern("\"usage\"");

    /**
     * Reports the usage found in {@code buf[index, index + length)} into {@code usage}.
     *
     * @return true when a usage object was found and read
     */
    public boolean read(ByteBuf buf, int index, int length, TokenUsage usage) {
        long member = find(buf, index, length);
        try {
            return member >= 0 && readAt(buf, JsonSpans.end(member), index + length, usage);
        } catch (IOException malformed) {
            return false;
        }
    }

    /**
     * The last {@code usage} member of {@code buf[index, index + length)}, whatever the whitespace around its colon:
     * packed as {@code (name start << 32) | value start} (read with {@link JsonSpans#start}/{@link JsonSpans#end}),
     * or -1.
     */
    public static long find(ByteBuf buf, int index, int length) {
        return JsonBytes.lastMember(buf, USAGE_KEY, index, index + length);
    }

    /**
     * Reports the usage object whose value starts at {@code value} (from {@link #find}) into {@code usage}.
     *
     * @return false when the value is not an object (it is {@code null})
     * @throws IOException when the object is malformed
     */
    public boolean readAt(ByteBuf buf, int value, int end, TokenUsage usage) throws IOException {
        if (buf.getByte(value) != '{') {
            return false;
        }
        byte[] bytes = ByteBufUtil.getBytes(buf, value, end - value, false);
        try (JsonParser parser = Json.FACTORY.createParser(bytes)) {
            parser.nextToken();
            long[] counts = {-1, -1, -1, -1, -1};
            readObject(parser, counts, false);
            long input = counts[0] < 0 ? -1 : counts[0] + Math.max(0, counts[3]) + Math.max(0, counts[4]);
            usage.report(input, counts[1], counts[4] >= 0 ? counts[4] : counts[2]);
            return true;
        }
    }

    /** Reads counts from the object the parser is at; a details object only contributes cached tokens. */
    private static void readObject(JsonParser parser, long[] counts, boolean details) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value == JsonToken.START_OBJECT) {
                if (!details && (name.equals("prompt_tokens_details") || name.equals("input_tokens_details"))) {
                    readObject(parser, counts, true);
                } else {
                    parser.skipChildren();
                }
            } else if (value == JsonToken.VALUE_NUMBER_INT) {
                record(name, parser.getLongValue(), counts, details);
            } else {
                parser.skipChildren();
            }
        }
    }

    /**
     * counts: input (Anthropic's without its cache counts), output, OpenAI's cached input, Anthropic's cache writes,
     * Anthropic's cache reads.
     */
    private static void record(String name, long number, long[] counts, boolean details) {
        if (details) {
            if (name.equals("cached_tokens")) {
                counts[2] = number;
            }
            return;
        }
        switch (name) {
            case "prompt_tokens", "input_tokens" -> counts[0] = number;
            case "completion_tokens", "output_tokens" -> counts[1] = number;
            case "cache_creation_input_tokens" -> counts[3] = number;
            case "cache_read_input_tokens" -> counts[4] = number;
            default -> {
                // totals and counts the gateway does not keep
            }
        }
    }
}
