package dev.llmgateway.sse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.AsciiString;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A pass-through consumer: keeps every event's bytes and what the event said about them, then releases it. */
final class Recorder implements SseEventHandler {
    /** What one event with data carried; strings hold bytes 1:1 (ISO-8859-1) so splits cannot alter them. */
    record Ev(String name, String data, int dataLines, boolean done) {
    }

    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final List<Ev> withData = new ArrayList<>();
    /** Every event's raw text, in order. */
    final List<String> raw = new ArrayList<>();
    int events;

    @Override
    public void onEvent(SseEvent event) {
        ByteBuf content = event.content();
        try {
            events++;
            String raw = content.toString(ISO_8859_1);
            this.raw.add(raw);
            String name = Reference.eventName(raw);
            assertEquals(name != null, event.hasEventName(), raw);
            if (name != null) {
                assertTrue(event.eventNameIs(AsciiString.of(name)), raw);
                assertFalse(event.eventNameIs(AsciiString.of(name + "x")), raw);
            }
            if (event.hasData()) {
                String data = content.toString(event.dataOffset(), event.dataLength(), ISO_8859_1);
                withData.add(new Ev(name, data, event.dataLineCount(), event.isDone()));
            } else {
                assertEquals(0, event.dataLineCount());
                assertFalse(event.isDone());
            }
            bytes.writeBytes(ByteBufUtil.getBytes(content));
        } finally {
            content.release();
        }
    }

    byte[] bytes() {
        return bytes.toByteArray();
    }
}
