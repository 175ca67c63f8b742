package dev.llmgateway.sse;

import dev.llmgateway.config.ProviderConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SseFramerTest {
    private final Recorder recorder = new Recorder();
    private final SseFramer framer = new SseFramer(recorder, ProviderConfig.DEFAULT_MAX_SSE_EVENT_BYTES);

    private void feed(String... chunks) {
        for (String chunk : chunks) {
            framer.feed(Unpooled.copiedBuffer(chunk, ISO_8859_1));
        }
    }

    private static Recorder.Ev data(String data) {
        return new Recorder.Ev(null, data, 1, false);
    }

    @Test
    void lfStream() {
        feed("data: a\n\ndata: b\n\n");
        assertEquals(List.of("data: a\n\n", "data: b\n\n"), recorder.raw);
        assertEquals(List.of(data("a"), data("b")), recorder.withData);
    }

    @Test
    void crlfStream() {
        feed("data: a\r\n\r\ndata: b\r\n\r\n");
        assertEquals(List.of("data: a\r\n\r\n", "data: b\r\n\r\n"), recorder.raw);
        assertEquals(List.of(data("a"), data("b")), recorder.withData);
    }

    @Test
    void crOnlyStream() {
        feed("data: a\r\rdata: b\r\r");
        assertEquals(List.of("data: a\r\r", "data: b\r\r"), recorder.raw);
        assertEquals(List.of(data("a"), data("b")), recorder.withData);
    }

    @Test
    void mixedLineEndsWithinOneEvent() {
        feed("event: e\rdata: a\r\ndata: b\n\r\n");
        assertEquals(List.of("event: e\rdata: a\r\ndata: b\n\r\n"), recorder.raw);
        assertEquals(List.of(new Recorder.Ev("e", "a", 2, false)), recorder.withData);
    }

    @Test
    void commentsAreEventsWithoutData() {
        feed(": ping\n\n: note\ndata: x\n\n");
        assertEquals(List.of(": ping\n\n", ": note\ndata: x\n\n"), recorder.raw);
        assertEquals(List.of(data("x")), recorder.withData);
    }

    @Test
    void eventNames() {
        List<Boolean> starts = new ArrayList<>();
        SseFramer f = new SseFramer(e -> {
            starts.add(e.eventNameIs(AsciiString.of("message_start")));
            assertFalse(e.eventNameIs(AsciiString.of("message")));
            e.content().release();
        }, ProviderConfig.DEFAULT_MAX_SSE_EVENT_BYTES);
        f.feed(Unpooled.copiedBuffer("event: message_start\ndata: {}\n\nevent:message_start\ndata: {}\n\n"
                + "event: message_stop\ndata: {}\n\ndata: {}\n\n", ISO_8859_1));
        assertEquals(List.of(true, true, false, false), starts);
    }

    @Test
    void lastEventWithoutBlankLineComesOutOnFinish() {
        feed("data: a\n\ndata: b");
        assertEquals(List.of("data: a\n\n"), recorder.raw);
        framer.finish();
        assertEquals(List.of("data: a\n\n", "data: b"), recorder.raw);
        assertEquals(List.of(data("a"), data("b")), recorder.withData);
    }

    @Test
    void finishCompletesPartialFields() {
        feed("event: x\ndata");
        framer.finish();
        assertEquals(List.of(new Recorder.Ev("x", "", 1, false)), recorder.withData);
    }

    @Test
    void finishDropsATailOfCommentsOnly() {
        feed("data: a\n\n: bye");
        framer.finish();
        assertEquals(List.of("data: a\n\n"), recorder.raw);
    }

    @Test
    void fieldsWithoutDataAreEventsWithoutData() {
        feed("id: 7\nretry: 10\n\n", "id: 8");
        framer.finish();
        assertEquals(List.of("id: 7\nretry: 10\n\n", "id: 8"), recorder.raw);
        assertEquals(List.of(), recorder.withData);
    }

    @Test
    void manyEventsInOneChunkShareItsMemory() {
        byte[] stream = "data: 1\n\ndata: 2\n\n: c\n\nevent: e\ndata: 3\n\n".getBytes(ISO_8859_1);
        List<ByteBuf> views = new ArrayList<>();
        SseFramer f = new SseFramer(e -> views.add(e.content()), ProviderConfig.DEFAULT_MAX_SSE_EVENT_BYTES);
        ByteBuf chunk = Unpooled.wrappedBuffer(stream);
        f.feed(chunk);
        assertEquals(4, views.size());
        for (ByteBuf view : views) {
            assertSame(stream, view.array(), "a slice of the chunk, not a copy");
            view.release();
        }
        assertEquals(0, chunk.refCnt());
    }

    @Test
    void crlfSplitBetweenChunks() {
        feed("data: a\r", "\n\r", "\ndata: b\r\n\r", "\n");
        assertEquals(List.of("data: a\r\n\r", "\n", "data: b\r\n\r", "\n"), recorder.raw);
        assertEquals(List.of(data("a"), data("b")), recorder.withData);
    }

    @Test
    void eventGoesOutAtTheCrWithoutWaitingForTheLf() {
        feed("data: a\r\n\r");
        assertEquals(List.of("data: a\r\n\r"), recorder.raw);
    }

    @Test
    void strayBlankLinesAreEmittedAsEventsWithoutData() {
        feed("\n\r\ndata: a\n\n\n");
        assertEquals(List.of("\n", "\r\n", "data: a\n\n", "\n"), recorder.raw);
        assertEquals(List.of(data("a")), recorder.withData);
    }

    @Test
    void dataValueDropsOnlyOneLeadingSpace() {
        feed("data:x\n\ndata:  y\n\ndata\n\n");
        assertEquals(List.of(data("x"), data(" y"), data("")), recorder.withData);
    }

    @Test
    void multiLineDataReportsTheFirstLine() {
        feed("data: a\ndata: b\ndata: c\n\n");
        assertEquals(List.of(new Recorder.Ev(null, "a", 3, false)), recorder.withData);
    }

    @Test
    void done() {
        feed("data: [DONE]\n\ndata:[DONE]\n\ndata: [DONE] \n\ndata: [DONE]\ndata: x\n\ndata: [DONE\n\n");
        assertEquals(List.of(true, true, false, false, false),
                recorder.withData.stream().map(Recorder.Ev::done).toList());
    }

    @Test
    void otherFieldsAreNotData() {
        feed("dat: a\ndata2: b\nevents: c\n\n");
        assertEquals(List.of(), recorder.withData);
        assertEquals(1, recorder.events);
    }

    @Test
    void multiByteCharacterSplitAcrossChunks() {
        byte[] stream = "event: é\ndata: {\"t\":\"é€😀\"}\n\n".getBytes(UTF_8);
        for (int cut = 0; cut <= stream.length; cut++) {
            List<String> data = new ArrayList<>();
            SseFramer f = new SseFramer(e -> {
                try {
                    assertTrue(e.eventNameIs(new AsciiString("é".getBytes(UTF_8), false)));
                    data.add(e.content().toString(e.dataOffset(), e.dataLength(), UTF_8));
                } finally {
                    e.content().release();
                }
            }, ProviderConfig.DEFAULT_MAX_SSE_EVENT_BYTES);
            f.feed(Unpooled.wrappedBuffer(stream, 0, cut));
            f.feed(Unpooled.wrappedBuffer(stream, cut, stream.length - cut));
            f.finish();
            assertEquals(List.of("{\"t\":\"é€😀\"}"), data, "cut at " + cut);
        }
    }

    @Test
    void splitEventsFromPooledDirectChunks() {
        byte[] stream = "event: a\ndata: {\"x\":1}\n\n".getBytes(ISO_8859_1);
        for (int cut = 1; cut < stream.length; cut++) {
            Recorder r = new Recorder();
            SseFramer f = new SseFramer(r, ProviderConfig.DEFAULT_MAX_SSE_EVENT_BYTES);
            f.feed(PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(stream, 0, cut));
            f.feed(PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(stream, cut, stream.length - cut));
            f.finish();
            assertArrayEquals(stream, r.bytes());
            assertEquals(List.of(new Recorder.Ev("a", "{\"x\":1}", 1, false)), r.withData);
        }
    }

    @Test
    void releaseMidEventFreesEverything() {
        ByteBuf first = Unpooled.copiedBuffer("data: a\n\nevent: x\ndata: {\"par", ISO_8859_1);
        ByteBuf second = Unpooled.copiedBuffer("tial\":", ISO_8859_1);
        framer.feed(first);
        framer.feed(PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(second.duplicate()));
        framer.feed(second);
        framer.release();
        framer.release();
        framer.finish();
        assertEquals(List.of("data: a\n\n"), recorder.raw);
        assertEquals(0, first.refCnt());
        assertEquals(0, second.refCnt());
    }

    @Test
    void chunksAfterReleaseAreReleased() {
        framer.finish();
        ByteBuf late = Unpooled.copiedBuffer("data: late\n\n", ISO_8859_1);
        framer.feed(late);
        assertEquals(0, late.refCnt());
        assertEquals(0, recorder.events);
    }

    @Test
    void aThrowingHandlerStillReleasesTheChunk() {
        SseFramer f = new SseFramer(e -> {
            e.content().release();
            throw new IllegalStateException("downstream failed");
        }, ProviderConfig.DEFAULT_MAX_SSE_EVENT_BYTES);
        ByteBuf chunk = Unpooled.copiedBuffer("data: a\n\ndata: b", ISO_8859_1);
        assertThrows(IllegalStateException.class, () -> f.feed(chunk));
        assertEquals(0, chunk.refCnt());
        f.release();
    }
}
