package dev.llmgateway.exchange;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scan reads the same facts, at the same byte offsets of the buffer, whatever holds the body: a heap array
 * (with an offset), direct memory, a composite of the reads, a body too large for the scratch copy; and it
 * rejects the same bodies.
 */
class RequestBodyScannerTest {
    private static final String PREFIX = "junk before the body";

    private static String body(int padding) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "é".repeat(padding)
                + "\"}],\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
    }

    /** The body behind PREFIX's bytes, read from the body's start, in each kind of buffer. */
    private static List<ByteBuf> holders(String json) {
        byte[] bytes = (PREFIX + json).getBytes(StandardCharsets.UTF_8);
        int skip = PREFIX.length();
        ByteBuf heap = Unpooled.wrappedBuffer(bytes, 1, bytes.length - 1).readerIndex(skip - 1);
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes).readerIndex(skip);
        CompositeByteBuf composite = Unpooled.compositeBuffer();
        int half = skip + (bytes.length - skip) / 2;
        composite.addComponent(true, Unpooled.directBuffer().writeBytes(bytes, 0, half))
                .addComponent(true, Unpooled.directBuffer().writeBytes(bytes, half, bytes.length - half))
                .readerIndex(skip);
        return List.of(heap, direct, composite);
    }

    @Test
    void theFactsAndTheirOffsetsAreTheSameInEveryBuffer() throws Exception {
        for (int padding : new int[] {10, 40_000}) { // the second is past the scratch copy's 64 KiB
            String json = body(padding);
            for (ByteBuf content : holders(json)) {
                try {
                    int at = content.readerIndex();
                    RequestFacts facts = RequestBodyScanner.scan(content);
                    assertEquals("gpt-4o", facts.model());
                    assertTrue(facts.stream() && facts.includeUsage());
                    assertEquals("\"gpt-4o\"", content.toString(facts.modelStart(), facts.modelEnd()
                            - facts.modelStart(), StandardCharsets.UTF_8), content.getClass().getSimpleName());
                    assertEquals(at, content.readerIndex(), "the scan reads without consuming");
                } finally {
                    content.release();
                }
            }
        }
    }

    @Test
    void invalidJsonAndInvalidUtf8AreRefusedInEveryBuffer() {
        for (String broken : List.of("{\"model\":\"m\",}", "{\"model\":\"m\"} {}", "{\"model\":\"m\u00ff\"}")) {
            byte[] bytes = broken.getBytes(StandardCharsets.ISO_8859_1);
            for (ByteBuf content : List.of(Unpooled.wrappedBuffer(bytes),
                    PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(bytes))) {
                try {
                    RequestBodyScanner.InvalidBody refused = assertThrows(RequestBodyScanner.InvalidBody.class,
                            () -> RequestBodyScanner.scan(content));
                    assertEquals(broken.contains("\u00ff") ? "invalid_encoding" : "invalid_json",
                            refused.error().code(), broken);
                } finally {
                    content.release();
                }
            }
        }
    }
}
