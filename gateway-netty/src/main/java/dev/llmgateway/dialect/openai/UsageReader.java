package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.TokenUsage;
import dev.llmgateway.dialect.UsageCounts;
import dev.llmgateway.json.BytePattern;
import dev.llmgateway.json.Json;
import dev.llmgateway.json.JsonBytes;
import dev.llmgateway.json.JsonSpans;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.io.IOException;
import java.util.Arrays;

/**
 * Reads OpenAI-style usage out of a response body or stream event: finds the bytes {@code "usage"} first (most
 * events have none, or {@code "usage":null}) and parses only the object that follows. Understands Chat and
 * Completions ({@code prompt_tokens}, {@code completion_tokens}, {@code prompt_tokens_details.cached_tokens},
 * {@code completion_tokens_details.reasoning_tokens}, DeepSeek's {@code prompt_cache_hit_tokens}) and Responses
 * ({@code input_tokens}, {@code output_tokens}, {@code input_tokens_details.cached_tokens},
 * {@code output_tokens_details.reasoning_tokens}), and Anthropic's Messages, whose {@code input_tokens} leave out
 * the cache reads and writes it counts apart ({@code cache_read_input_tokens}, {@code cache_creation_input_tokens}
 * split by lifetime in {@code cache_creation}: added back in, each kept apart for pricing), wherever the object
 * sits (the Responses stream nests it in {@code response}, Anthropic's {@code message_start} in {@code message}).
 * Holds no state.
 */
public final class UsageReader {
    private static final BytePattern USAGE_KEY = new BytePattern("\"usage\"");

    // Slots of the counts array.
    private static final int INPUT = 0;
    private static final int OUTPUT = 1;
    private static final int CACHED = 2;
    private static final int CACHE_HIT = 3;
    private static final int WRITE = 4;
    private static final int READ = 5;
    private static final int WRITE_1H = 6;
    private static final int REASONING = 7;
    private static final int SLOTS = 8;

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
            long[] counts = new long[SLOTS];
            Arrays.fill(counts, -1);
            readObject(parser, counts);
            long read = counts[READ];
            long write = counts[WRITE];
            // Anthropic leaves its cache reads and writes out of input_tokens; OpenAI counts them in.
            long input = counts[INPUT] < 0 ? -1 : counts[INPUT] + Math.max(0, write) + Math.max(0, read);
            long cached = read >= 0 ? read : counts[CACHED] >= 0 ? counts[CACHED] : counts[CACHE_HIT];
            usage.report(input, cached, write, counts[WRITE_1H], counts[OUTPUT], counts[REASONING]);
            return true;
        }
    }

    /** Reads counts from the usage object the parser is at, and the one count each details object adds. */
    private static void readObject(JsonParser parser, long[] counts) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value == JsonToken.START_OBJECT) {
                switch (name) {
                    case "prompt_tokens_details", "input_tokens_details" ->
                            counts[CACHED] = UsageCounts.member(parser, "cached_tokens");
                    case "completion_tokens_details", "output_tokens_details" ->
                            counts[REASONING] = UsageCounts.member(parser, "reasoning_tokens");
                    case "cache_creation" ->
                            counts[WRITE_1H] = UsageCounts.member(parser, "ephemeral_1h_input_tokens");
                    default -> parser.skipChildren();
                }
            } else if (value == JsonToken.VALUE_NUMBER_INT) {
                record(name, parser.getLongValue(), counts);
            } else {
                parser.skipChildren();
            }
        }
    }

    private static void record(String name, long number, long[] counts) {
        switch (name) {
            case "prompt_tokens", "input_tokens" -> counts[INPUT] = number;
            case "completion_tokens", "output_tokens" -> counts[OUTPUT] = number;
            case "prompt_cache_hit_tokens" -> counts[CACHE_HIT] = number;
            case "cache_creation_input_tokens" -> counts[WRITE] = number;
            case "cache_read_input_tokens" -> counts[READ] = number;
            default -> {
                // totals and counts the gateway does not keep
            }
        }
    }
}
