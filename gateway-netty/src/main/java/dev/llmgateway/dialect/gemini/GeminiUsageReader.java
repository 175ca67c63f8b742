package dev.llmgateway.dialect.gemini;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.TokenUsage;
import dev.llmgateway.json.BytePattern;
import dev.llmgateway.json.Json;
import dev.llmgateway.json.JsonBytes;
import dev.llmgateway.json.JsonSpans;
import dev.llmgateway.json.JsonTokens;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads Gemini's {@code usageMetadata} out of a passed-through chunk or body: finds the bytes
 * {@code "usageMetadata"} first and parses only the object that follows. Counts as {@link GeminiAnswerDecoder}
 * reports them: input is the prompt and tool-use prompt tokens, output the candidates' and the thoughts' tokens,
 * reasoning the thoughts'; proto3 JSON leaves zero counts out, so a missing count is 0. Gemini's counts are
 * cumulative in every chunk, as {@link TokenUsage#report} expects. The object is read from its bytes
 * ({@link JsonTokens}) unless it holds what those leave to Jackson. Holds no state.
 */
public final class GeminiUsageReader {
    private static final BytePattern USAGE_KEY = new BytePattern("\"usageMetadata\"");
    /** The counts kept ({@link Counts#add} by index). */
    private static final List<String> COUNTS = List.of("promptTokenCount", "toolUsePromptTokenCount",
            "cachedContentTokenCount", "candidatesTokenCount", "thoughtsTokenCount");
    private static final byte[][] QUOTED_COUNTS = COUNTS.stream()
            .map(name -> ('"' + name + '"').getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);

    private GeminiUsageReader() {
    }

    /** The last {@code usageMetadata} member in {@code buf[index, index + length)} ({@link JsonSpans}), or -1. */
    public static long find(ByteBuf buf, int index, int length) {
        return JsonBytes.lastMember(buf, USAGE_KEY, index, index + length);
    }

    /**
     * Reports the usage object whose value starts at {@code value} (from {@link #find}) into {@code usage}: read from
     * its bytes ({@link JsonTokens}), or by Jackson when they hold anything those leave unread.
     *
     * @return false when the value is not an object
     * @throws IOException when the object is malformed
     */
    public static boolean readAt(ByteBuf buf, int value, int end, TokenUsage usage) throws IOException {
        if (JsonTokens.byteAt(buf, value) != '{') {
            return false;
        }
        Counts counts = new Counts();
        if (JsonTokens.walkObject(buf, value, end, counts) == JsonTokens.UNREAD) {
            counts = parse(buf, value, end);
        }
        usage.report(counts.prompt, counts.cached, -1, -1, counts.candidates + counts.thoughts, counts.thoughts);
        return true;
    }

    /** What Jackson makes of the object: whatever {@link JsonTokens} leaves unread, it judges. */
    private static Counts parse(ByteBuf buf, int value, int end) throws IOException {
        byte[] bytes = ByteBufUtil.getBytes(buf, value, end - value, false);
        Counts counts = new Counts();
        try (JsonParser parser = Json.FACTORY.createParser(bytes)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                int count = COUNTS.indexOf(parser.currentName());
                if (parser.nextToken() == JsonToken.VALUE_NUMBER_INT && count >= 0) {
                    counts.add(count, parser.getLongValue());
                } else {
                    parser.skipChildren();
                }
            }
        }
        return counts;
    }

    /** The counts kept, by their index in {@link #COUNTS}; an integer count of the object's own level is kept. */
    private static final class Counts implements JsonTokens.Members {
        long prompt;
        long cached;
        long candidates;
        long thoughts;

        void add(int count, long value) {
            switch (count) {
                case 0, 1 -> prompt += value; // the prompt's and the tool-use prompt's tokens
                case 2 -> cached = value;
                case 3 -> candidates = value;
                case 4 -> thoughts = value;
                default -> throw new IllegalArgumentException("no count " + count);
            }
        }

        @Override
        public int member(ByteBuf buf, int name, int nameEnd, int value, int end) {
            int count = quotedCount(buf, name, nameEnd);
            int integer = count < 0 ? JsonTokens.UNREAD : JsonTokens.integerEnd(buf, value, end);
            if (integer == JsonTokens.UNREAD) {
                // Totals and per-modality details the gateway does not keep, or a count that is no plain integer.
                return count < 0 ? JsonTokens.valueEnd(buf, value, end) : JsonTokens.nonIntegerEnd(buf, value, end);
            }
            add(count, JsonTokens.integer(buf, value, integer));
            return integer;
        }

        private static int quotedCount(ByteBuf buf, int name, int nameEnd) {
            for (int i = 0; i < QUOTED_COUNTS.length; i++) {
                if (JsonTokens.stringIs(buf, name, nameEnd, QUOTED_COUNTS[i])) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** Reports the usage found in {@code buf[index, index + length)}; false when there is none or it is malformed. */
    public static boolean read(ByteBuf buf, int index, int length, TokenUsage usage) {
        long member = find(buf, index, length);
        try {
            return member >= 0 && readAt(buf, JsonSpans.end(member), index + length, usage);
        } catch (IOException malformed) {
            return false;
        }
    }
}
