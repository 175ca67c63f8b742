package dev.llmgateway.json;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.io.SerializedString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RepeatingSpanFinderTest {
    private static final SerializedString MODEL = new SerializedString("model");

    @Test
    void eachDocumentOfARunGetsTheSpanAParserWouldFind() throws IOException {
        RepeatingSpanFinder finder = new RepeatingSpanFinder(MODEL);
        String[] run = {
            "{\"id\":\"a\",\"model\":\"gpt-4o\",\"choices\":[{\"delta\":{\"content\":\"one\"}}]}",
            "{\"id\":\"a\",\"model\":\"gpt-4o\",\"choices\":[{\"delta\":{\"content\":\"two, longer\"}}]}",
            "{\"id\":\"a\",\"model\":\"gpt-4o-mini\",\"choices\":[]}",        // same bytes up to the quote, then more
            "{\"id\":\"b\",\"object\":\"x\",\"model\":\"m\"}",                    // another prefix: parsed again
            "{\"id\":\"b\",\"object\":\"x\",\"model\":\"m\"}",
            "{\"id\":\"b\",\"object\":\"x\"}",                                   // absent
            "{\"id\":\"b\",\"object\":\"x\",\"model\":\"m\"}",
        };
        for (String json : run) {
            // At an offset inside a larger buffer, as an event's data sits inside the event's bytes.
            ByteBuf buf = Unpooled.copiedBuffer("data: " + json + "\n\n", StandardCharsets.UTF_8);
            try {
                assertEquals(JsonSpans.findString(buf, 6, json.length(), MODEL), finder.find(buf, 6, json.length()),
                        json);
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void aDocumentThatDiffersBeforeTheMemberIsParsedAndMayBeMalformed() throws IOException {
        RepeatingSpanFinder finder = new RepeatingSpanFinder(MODEL);
        ByteBuf good = Unpooled.copiedBuffer("{\"id\":\"a\",\"model\":\"m\"}", StandardCharsets.UTF_8);
        ByteBuf bad = Unpooled.copiedBuffer("{\"id\":\"a\",,\"model\":\"m\"}", StandardCharsets.UTF_8);
        try {
            finder.find(good, 0, good.readableBytes());
            assertThrows(JsonParseException.class, () -> finder.find(bad, 0, bad.readableBytes()));
        } finally {
            good.release();
            bad.release();
        }
    }
}
