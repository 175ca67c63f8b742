package dev.llmgateway.dialect.gemini;

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
 * Reads Gemini's {@code usageMetadata} out of a passed-through chunk or body: finds the bytes
 * {@code "usageMetadata"} first and parses only the object that follows. Counts as {@link GeminiAnswerDecoder}
 * reports them: input is the prompt and tool-use prompt tokens, output the candidates' and the thoughts' tokens,
 * reasoning the thoughts'; proto3 JSON leaves zero counts out, so a missing count is 0. Gemini's counts are
 * cumulative in every chunk, as {@link TokenUsage#report} expects. Holds no state.
 */
public final class GeminiUsageReader {
    private static final BytePattern USAGE_KEY = new BytePattern("\"usageMetadata\"");

    private GeminiUsageReader() {
    }

    /** The last {@code usageMetadata} member in {@code buf[index, index + length)} ({@link JsonSpans}), or -1. */
    public static long find(ByteBuf buf, int index, int length) {
        return JsonBytes.lastMember(buf, USAGE_KEY, index, index + length);
    }

    /**
     * Reports the usage object whose value starts at {@code value} (from {@link #find}) into {@code usage}.
     *
     * @return false when the value is not an object
     * @throws IOException when the object is malformed
     */
    public static boolean readAt(ByteBuf buf, int value, int end, TokenUsage usage) throws IOException {
        if (buf.getByte(value) != '{') {
            return false;
        }
        byte[] bytes = ByteBufUtil.getBytes(buf, value, end - value, false);
        long prompt = 0;
        long cached = 0;
        long candidates = 0;
        long thoughts = 0;
        try (JsonParser parser = Json.FACTORY.createParser(bytes)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                if (parser.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                    parser.skipChildren();
                    continue;
                }
                long count = parser.getLongValue();
                switch (name) {
                    case "promptTokenCount", "toolUsePromptTokenCount" -> prompt += count;
                    case "cachedContentTokenCount" -> cached = count;
                    case "candidatesTokenCount" -> candidates = count;
                    case "thoughtsTokenCount" -> thoughts = count;
                    default -> {
                        // totals and per-modality details the gateway does not keep
                    }
                }
            }
        }
        usage.report(prompt, cached, -1, -1, candidates + thoughts, thoughts);
        return true;
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
