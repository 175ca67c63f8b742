package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.TokenUsage;
import dev.llmgateway.dialect.UsageCounts;
import dev.llmgateway.json.BytePattern;
import dev.llmgateway.json.Json;
import dev.llmgateway.json.JsonBytes;
import dev.llmgateway.json.JsonSpans;
import dev.llmgateway.json.JsonTokens;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * The object is read straight from its bytes ({@link JsonTokens}); one that holds anything those leave unread (a
 * non-ASCII string, an escaped name, a count that is no plain integer) is read by Jackson instead, which then also
 * judges whether it is malformed. Holds no state.
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
     * A member of the usage object the gateway keeps: a count ({@code inner} null) or a details object whose one
     * count {@code inner} fills the slot.
     */
    private record Member(String name, byte[] quoted, int slot, String inner, byte[] innerQuoted) {
        Member(String name, int slot, String inner) {
            this(name, quoted(name), slot, inner, inner == null ? null : quoted(inner));
        }

        private static byte[] quoted(String name) {
            return ('"' + name + '"').getBytes(StandardCharsets.US_ASCII);
        }
    }

    private static final Member[] MEMBERS = {
            new Member("prompt_tokens", INPUT, null),
            new Member("input_tokens", INPUT, null),
            new Member("completion_tokens", OUTPUT, null),
            new Member("output_tokens", OUTPUT, null),
            new Member("prompt_cache_hit_tokens", CACHE_HIT, null),
            new Member("cache_creation_input_tokens", WRITE, null),
            new Member("cache_read_input_tokens", READ, null),
            new Member("prompt_tokens_details", CACHED, "cached_tokens"),
            new Member("input_tokens_details", CACHED, "cached_tokens"),
            new Member("completion_tokens_details", REASONING, "reasoning_tokens"),
            new Member("output_tokens_details", REASONING, "reasoning_tokens"),
            new Member("cache_creation", WRITE_1H, "ephemeral_1h_input_tokens"),
    };

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
        if (JsonTokens.byteAt(buf, value) != '{') {
            return false;
        }
        CountsFromBytes walk = new CountsFromBytes();
        long[] counts = walk.counts;
        if (JsonTokens.walkObject(buf, value, end, walk) == JsonTokens.UNREAD) {
            counts = parse(buf, value, end);
        }
        long read = counts[READ];
        long write = counts[WRITE];
        // Anthropic leaves its cache reads and writes out of input_tokens; OpenAI counts them in.
        long input = counts[INPUT] < 0 ? -1 : counts[INPUT] + Math.max(0, write) + Math.max(0, read);
        long cached = read >= 0 ? read : counts[CACHED] >= 0 ? counts[CACHED] : counts[CACHE_HIT];
        usage.report(input, cached, write, counts[WRITE_1H], counts[OUTPUT], counts[REASONING]);
        return true;
    }

    private static long[] emptyCounts() {
        long[] counts = new long[SLOTS];
        Arrays.fill(counts, -1);
        return counts;
    }

    /** The member of {@link #MEMBERS} named {@code buf[name, nameEnd)} (quotes included), or null. */
    private static Member member(ByteBuf buf, int name, int nameEnd) {
        for (Member member : MEMBERS) {
            if (JsonTokens.stringIs(buf, name, nameEnd, member.quoted)) {
                return member;
            }
        }
        return null;
    }

    private static Member member(String name) {
        for (Member member : MEMBERS) {
            if (member.name.equals(name)) {
                return member;
            }
        }
        return null;
    }

    /**
     * Reads the counts from the usage object's bytes, as {@link #readObject} does from Jackson's tokens: a count
     * that is a plain integer is kept, any other value of it passed over; a details object's count likewise (absent,
     * the slot reads -1 again); a value that is an integer to Jackson but not to {@link JsonTokens#integerEnd} (too
     * long) leaves the whole object to Jackson.
     */
    private static final class CountsFromBytes implements JsonTokens.Members {
        final long[] counts = emptyCounts();
        /** The details object being walked, or null at the usage object's own level. */
        private Member details;

        @Override
        public int member(ByteBuf buf, int name, int nameEnd, int value, int end) {
            if (details != null) {
                return JsonTokens.stringIs(buf, name, nameEnd, details.innerQuoted)
                        ? count(buf, details.slot, value, end) : JsonTokens.valueEnd(buf, value, end);
            }
            Member member = UsageReader.member(buf, name, nameEnd);
            if (member == null) {
                return JsonTokens.valueEnd(buf, value, end);
            }
            if (member.inner == null) {
                return count(buf, member.slot, value, end);
            }
            if (value >= end || JsonTokens.byteAt(buf, value) != '{') {
                return JsonTokens.valueEnd(buf, value, end);
            }
            details = member;
            counts[member.slot] = -1;
            int after = JsonTokens.walkObject(buf, value, end, this);
            details = null;
            return after;
        }

        /** A count's value: an integer goes to {@code slot}, anything else is passed over. */
        private int count(ByteBuf buf, int slot, int value, int end) {
            int integer = JsonTokens.integerEnd(buf, value, end);
            if (integer != JsonTokens.UNREAD) {
                counts[slot] = JsonTokens.integer(buf, value, integer);
                return integer;
            }
            return JsonTokens.nonIntegerEnd(buf, value, end);
        }
    }

    /** What Jackson makes of the usage object: the bytes {@link JsonTokens} leaves unread, it judges. */
    private static long[] parse(ByteBuf buf, int value, int end) throws IOException {
        byte[] bytes = ByteBufUtil.getBytes(buf, value, end - value, false);
        try (JsonParser parser = Json.FACTORY.createParser(bytes)) {
            parser.nextToken();
            long[] counts = emptyCounts();
            readObject(parser, counts);
            return counts;
        }
    }

    /** Reads counts from the usage object the parser is at, and the one count each details object adds. */
    private static void readObject(JsonParser parser, long[] counts) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            Member member = member(parser.currentName());
            JsonToken value = parser.nextToken();
            if (member != null && member.inner != null && value == JsonToken.START_OBJECT) {
                counts[member.slot] = UsageCounts.member(parser, member.inner);
            } else if (member != null && member.inner == null && value == JsonToken.VALUE_NUMBER_INT) {
                counts[member.slot] = parser.getLongValue();
            } else {
                parser.skipChildren();
            }
        }
    }
}
