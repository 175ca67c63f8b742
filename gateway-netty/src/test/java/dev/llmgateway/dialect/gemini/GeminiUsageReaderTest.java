package dev.llmgateway.dialect.gemini;

import dev.llmgateway.dialect.TokenUsage;
import dev.llmgateway.testutil.BufferLayouts;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Gemini's {@code usageMetadata} read from a passed-through chunk in every buffer form (cut at every byte): the
 * counts summed and kept as its decoder keeps them, other values passed over, and what the byte walk leaves to
 * Jackson read by Jackson, malformed objects rejected.
 */
class GeminiUsageReaderTest {
    @Test
    void readsTheCountsItKeeps() {
        expect("{\"promptTokenCount\":10,\"toolUsePromptTokenCount\":2,\"cachedContentTokenCount\":4,"
                + "\"candidatesTokenCount\":7,\"thoughtsTokenCount\":3,\"totalTokenCount\":22,"
                + "\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":10}]}", 12, 4, 10, 3);
    }

    @Test
    void aMissingCountIsZeroAndAFractionIsNoCount() {
        expect("{ \"candidatesTokenCount\" : 5 }", 0, 0, 5, 0);
        expect("{\"promptTokenCount\":1.5e1,\"candidatesTokenCount\":5}", 0, 0, 5, 0);
        expect("{\"promptTokenCount\":\"7\",\"candidatesTokenCount\":5,\"note\":\"caf\u00e9\"}", 0, 0, 5, 0);
    }

    @Test
    void rejectsMalformedUsage() {
        expect("{\"promptTokenCount\":01}", (long[]) null);
        expect("{\"promptTokenCount\":1,}", (long[]) null);
        expect("{\"promptTokenCount\":12345678901234567890}", (long[]) null);
    }

    /** (input, cached, output, reasoning) from a chunk whose usage is {@code usageMetadata}; null: nothing read. */
    private static void expect(String usageMetadata, long... counts) {
        String chunk = "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"usageMetadata\"}]}}],\"usageMetadata\":"
                + usageMetadata + ",\"modelVersion\":\"gemini-2.5-pro\"}";
        byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
        BufferLayouts.each(bytes, layout -> {
            TokenUsage usage = new TokenUsage();
            boolean read = GeminiUsageReader.read(layout.buf(), layout.index(), bytes.length, usage);
            String where = layout.name() + " of " + chunk;
            assertEquals(counts != null, read, where);
            if (counts != null) {
                assertArrayEquals(counts, new long[] {usage.input(), usage.cachedInput(), usage.output(),
                        usage.reasoning()}, where);
            }
        });
    }
}
