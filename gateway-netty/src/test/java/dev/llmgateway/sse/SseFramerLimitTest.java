package dev.llmgateway.sse;

import dev.llmgateway.config.ProviderConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The framer's cost and its limit on one event: a line that never ends is held once, without copying (what it
 * allocates besides the chunks themselves stays flat however long the line grows), and an event past the limit
 * stops the framer and frees everything it held.
 */
class SseFramerLimitTest {
    /** As the upstream HTTP decoder hands a body on: pieces of at most 8 KiB. */
    private static final int CHUNK = 8192;
    private static final int MIB = 1 << 20;

    /**
     * An allocator that counts the bytes asked of it: copying a held event (consolidating it) shows up as bytes
     * allocated beyond the chunks the test made ({@link #fed}).
     */
    private static final class CountingAllocator extends AbstractByteBufAllocator {
        long allocated;
        long fed;

        CountingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            allocated += initialCapacity;
            return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            allocated += initialCapacity;
            return new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    /** Sizes of the events emitted; each is released at once. */
    private final List<Integer> emitted = new ArrayList<>();
    private final SseEventHandler sizes = event -> {
        emitted.add(event.content().readableBytes());
        event.content().release();
    };

    private static ByteBuf chunk(CountingAllocator alloc, byte[] bytes) {
        alloc.fed += bytes.length;
        return alloc.heapBuffer(bytes.length).writeBytes(bytes);
    }

    /** Feeds a {@code data:} line of {@code lineBytes} in 8 KiB chunks; returns the chunks, for their refCnt. */
    private static List<ByteBuf> feedLine(SseFramer framer, CountingAllocator alloc, int lineBytes) {
        List<ByteBuf> chunks = new ArrayList<>();
        byte[] filler = new byte[CHUNK];
        Arrays.fill(filler, (byte) 'a');
        ByteBuf start = chunk(alloc, "data: ".getBytes(ISO_8859_1));
        chunks.add(start);
        framer.feed(start);
        for (int fed = 0; fed < lineBytes; fed += CHUNK) {
            ByteBuf piece = chunk(alloc, filler);
            chunks.add(piece);
            framer.feed(piece);
        }
        return chunks;
    }

    @Test
    void aFortyMegabyteLineIsHeldWithoutCopying() {
        CountingAllocator alloc = new CountingAllocator();
        SseFramer framer = new SseFramer(sizes, 64 * MIB);
        int line = 40 * MIB;

        feedLine(framer, alloc, line);
        framer.feed(chunk(alloc, "\n\n".getBytes(ISO_8859_1)));

        assertEquals(List.of(line + 8), emitted, "the whole line, as one event");
        assertFalse(framer.oversized());
        long framerBytes = alloc.allocated - alloc.fed;
        // Consolidating the held event as it grew copied it over and over: gigabytes for a 40 MiB line.
        assertTrue(framerBytes < 64 * 1024, "the framer allocated " + framerBytes + " bytes for a 40 MiB line");
    }

    @Test
    void anEventPastTheLimitStopsTheFramerAndFreesWhatItHeld() {
        CountingAllocator alloc = new CountingAllocator();
        SseFramer framer = new SseFramer(sizes, ProviderConfig.DEFAULT_MAX_SSE_EVENT_BYTES);
        ByteBuf before = chunk(alloc, "data: {\"ok\":1}\n\n".getBytes(ISO_8859_1));
        framer.feed(before);

        List<ByteBuf> chunks = feedLine(framer, alloc, 40 * MIB);

        assertTrue(framer.oversized());
        assertEquals(List.of(16), emitted, "only the event before the endless line");
        for (ByteBuf chunk : chunks) {
            assertEquals(0, chunk.refCnt(), "nothing of the endless line is held");
        }
        ByteBuf after = chunk(alloc, "\n\ndata: {}\n\n".getBytes(ISO_8859_1));
        framer.feed(after);
        framer.finish();
        assertEquals(List.of(16), emitted, "a stopped framer emits nothing more");
        assertEquals(0, after.refCnt());
    }

    @Test
    void anEventOfExactlyTheLimitPassesOneByteMoreDoesNot() {
        byte[] event = "data: 0123456789\n\n".getBytes(ISO_8859_1);
        CountingAllocator alloc = new CountingAllocator();
        SseFramer atLimit = new SseFramer(sizes, event.length);
        atLimit.feed(chunk(alloc, Arrays.copyOf(event, 9)));
        atLimit.feed(chunk(alloc, Arrays.copyOfRange(event, 9, event.length)));
        assertEquals(List.of(event.length), emitted);
        assertFalse(atLimit.oversized());

        SseFramer below = new SseFramer(sizes, event.length - 1);
        ByteBuf whole = chunk(alloc, event);
        below.feed(whole);
        assertTrue(below.oversized(), "an event inside one chunk counts too");
        assertEquals(List.of(event.length), emitted);
        assertEquals(0, whole.refCnt());
    }
}
