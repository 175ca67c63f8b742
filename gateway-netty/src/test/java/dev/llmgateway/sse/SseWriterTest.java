package dev.llmgateway.sse;

import dev.llmgateway.config.ProviderConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SseWriterTest {
    private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    private static ByteBuf json(String s) {
        return ALLOC.directBuffer().writeBytes(s.getBytes(UTF_8));
    }

    @Test
    void dataEventConsumesJson() {
        ByteBuf json = json("{\"a\":\"é\"}");
        ByteBuf event = SseWriter.dataEvent(ALLOC, json);
        assertEquals(0, json.refCnt());
        assertEquals("data: {\"a\":\"é\"}\n\n", event.toString(UTF_8));
        assertTrue(event.release());
    }

    @Test
    void namedEvent() {
        ByteBuf event = SseWriter.namedEvent(ALLOC, AsciiString.cached("message_stop"), json("{}"));
        assertEquals("event: message_stop\ndata: {}\n\n", event.toString(UTF_8));
        assertTrue(event.release());
    }

    @Test
    void doneIsAnIndependentReadOnlyViewOfOneSharedBuffer() {
        ByteBuf a = SseWriter.done();
        ByteBuf b = SseWriter.done();
        a.skipBytes(a.readableBytes());
        assertEquals("data: [DONE]\n\n", b.toString(UTF_8));
        assertTrue(b.isReadOnly());
        assertThrows(Exception.class, () -> b.setByte(0, 'x'));
        assertFalse(a.release());
        assertEquals("data: [DONE]\n\n", SseWriter.done().toString(UTF_8));
    }

    @Test
    void writtenEventsFrameBackToTheSameEvents() {
        Recorder r = new Recorder();
        SseFramer framer = new SseFramer(r, ProviderConfig.DEFAULT_MAX_SSE_EVENT_BYTES);
        framer.feed(SseWriter.namedEvent(ALLOC, AsciiString.cached("x"), json("{\"n\":1}")));
        framer.feed(SseWriter.dataEvent(ALLOC, json("{\"n\":2}")));
        framer.feed(SseWriter.done());
        framer.finish();
        assertEquals(List.of(new Recorder.Ev("x", "{\"n\":1}", 1, false), new Recorder.Ev(null, "{\"n\":2}", 1, false),
                new Recorder.Ev(null, "[DONE]", 1, true)), r.withData);
    }
}
