package dev.llmgateway.json;

import dev.llmgateway.config.ProviderConfig;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.llmgateway.sse.Fixtures;
import dev.llmgateway.sse.SseFramer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonSpansTest {
    private static final SerializedString MODEL = new SerializedString("model");
    private static final SerializedString MODEL_VERSION = new SerializedString("modelVersion");

    /** Every kind of buffer the gateway sees, each with bytes before and after the JSON to test absolute indexes. */
    private static final List<Function<byte[], ByteBuf>> KINDS = List.of(
            b -> Unpooled.wrappedBuffer(b),
            b -> Unpooled.buffer(b.length + 20).writerIndex(7).readerIndex(7).writeBytes(b).slice(),
            b -> PooledByteBufAllocator.DEFAULT.heapBuffer().writeBytes(b),
            b -> PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(b),
            JsonSpansTest::composite);

    /** Cut into three direct pieces, so JSON tokens straddle components. */
    private static ByteBuf composite(byte[] b) {
        CompositeByteBuf c = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer();
        int third = b.length / 3;
        c.addComponent(true, PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(b, 0, third));
        c.addComponent(true, PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(b, third, third));
        c.addComponent(true, PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(b, 2 * third, b.length - 2 * third));
        return c;
    }

    /** The value token found in {@code json} framed as {@code "<<" + json + ">>"}, by every buffer kind. */
    private static String find(String json, SerializedString field) throws IOException {
        byte[] framed = ("<<" + json + ">>").getBytes(UTF_8);
        int length = framed.length - 4;
        String found = null;
        for (Function<byte[], ByteBuf> kind : KINDS) {
            ByteBuf buf = kind.apply(framed);
            try {
                long span = JsonSpans.findTopLevelString(buf, buf.readerIndex() + 2, length, field);
                String token = span < 0 ? null : buf.toString(JsonSpans.start(span),
                        JsonSpans.end(span) - JsonSpans.start(span), UTF_8);
                if (kind != KINDS.get(0)) {
                    assertEquals(found, token, buf.getClass().getName());
                }
                found = token;
            } finally {
                buf.release();
            }
        }
        return found;
    }

    @Test
    void openAiChunk() throws IOException {
        assertEquals("\"gpt-4o-mini-2024-07-18\"", find(firstData("openai/chat-completion-stream.sse"), MODEL));
    }

    @Test
    void anthropicModelIsNestedInMessage() throws IOException {
        String start = firstData("anthropic/message-stream.sse");
        assertEquals(null, find(start, MODEL));
        String message = start.substring(start.indexOf("\"message\":") + 10, start.length() - 1);
        assertEquals("\"claude-sonnet-4-5-20250929\"", find(message, MODEL));
    }

    @Test
    void geminiModelVersionAtTheEnd() throws IOException {
        String chunk = firstData("gemini/stream-generate-content.sse");
        assertEquals("\"gemini-2.5-flash\"", find(chunk, MODEL_VERSION));
    }

    @Test
    void ollamaChunk() throws IOException {
        assertEquals("\"llama3.2\"", find(firstData("ollama/chat-completion-stream.sse"), MODEL));
    }

    @Test
    void nestedModelIsNotMatched() throws IOException {
        assertEquals(null, find("{\"messages\":[{\"model\":\"x\"}],\"meta\":{\"model\":\"y\"}}", MODEL));
        assertEquals("\"z\"", find("{\"messages\":[{\"model\":\"x\"}],\"meta\":{\"model\":\"y\"},\"model\":\"z\"}", MODEL));
    }

    @Test
    void absentOrNotAString() throws IOException {
        assertEquals(null, find("", MODEL));
        assertEquals(null, find("{}", MODEL));
        assertEquals(null, find("{\"a\":1}", MODEL));
        assertEquals(null, find("{\"model\":1}", MODEL));
        assertEquals(null, find("{\"model\":null}", MODEL));
        assertEquals(null, find("{\"model\":{\"model\":\"x\"}}", MODEL));
        assertEquals(null, find("{\"model\":[\"x\"]}", MODEL));
        assertEquals(null, find("[\"model\"]", MODEL));
        assertEquals(null, find("\"model\"", MODEL));
    }

    @Test
    void escapesInTheValue() throws IOException {
        assertEquals("\"a\\\"b\\u00e9\\\\\"", find("{\"model\":\"a\\\"b\\u00e9\\\\\"}", MODEL));
    }

    @Test
    void multiByteCharactersAndEscapesBeforeTheField() throws IOException {
        String json = "{\"prompt\":\"é€😀 \\\" \\u00e9\",\"n\":[1,{\"é\":\"😀\"}],\"model\":\"m-é\",\"after\":\"€\"}";
        assertEquals("\"m-é\"", find(json, MODEL));
    }

    @Test
    void valueAtTheEndAndWhitespace() throws IOException {
        assertEquals("\"m\"", find("{\"a\":true,\"model\":\"m\"}", MODEL));
        assertEquals("\"\"", find("{ \"a\" : false ,\n  \"model\" :  \"\" }", MODEL));
        assertEquals("\"m\"", find("{\"model\":\"m\"}", MODEL));
    }

    @Test
    void stopsAtTheMemberSoLaterErrorsDoNotMatter() throws IOException {
        assertEquals("\"m\"", find("{\"model\":\"m\",broken", MODEL));
    }

    @Test
    void malformedJsonBeforeTheMemberThrows() {
        for (String bad : List.of("{\"a\":}", "{\"a\" 1,\"model\":\"m\"}", "{\"a\":1", "{\"a\":tru,\"model\":\"m\"}")) {
            assertThrows(JsonParseException.class, () -> find(bad, MODEL), bad);
        }
    }

    /** {@link JsonSpans#findStringInValid} on {@code bytes} framed as in {@link #find}, by every buffer kind. */
    private static void assertValidatedWhole(byte[] bytes, boolean valid) throws IOException {
        byte[] framed = new byte[bytes.length + 4];
        framed[0] = '<';
        framed[1] = '<';
        System.arraycopy(bytes, 0, framed, 2, bytes.length);
        framed[framed.length - 2] = '>';
        framed[framed.length - 1] = '>';
        for (Function<byte[], ByteBuf> kind : KINDS) {
            ByteBuf buf = kind.apply(framed);
            try {
                String what = new String(bytes, UTF_8) + " in " + buf.getClass().getSimpleName();
                if (valid) {
                    long span = JsonSpans.findStringInValid(buf, buf.readerIndex() + 2, bytes.length, MODEL);
                    assertEquals(JsonSpans.findString(buf, buf.readerIndex() + 2, bytes.length, MODEL), span, what);
                } else {
                    assertThrows(JsonParseException.class,
                            () -> JsonSpans.findStringInValid(buf, buf.readerIndex() + 2, bytes.length, MODEL), what);
                }
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void validatingReadsTheWholeDocument() throws IOException {
        for (String good : List.of("{\"model\":\"m\",\"a\":[1,{\"b\":\"é€😀\"}]}", "{\"a\":1}", " {\"model\":1} ",
                "{\"model\":{\"model\":\"x\"},\"z\":null}")) {
            assertValidatedWhole(good.getBytes(UTF_8), true);
        }
        for (String bad : List.of("{\"model\":\"m\",broken", "{\"model\":\"m\"", "{\"model\":\"m\"} {}",
                "{\"model\":\"m\"}x", "{\"model\":\"m\",}", "[\"model\"]", "\"m\"", "{\"a\":1} {\"model\":\"m\"}")) {
            assertValidatedWhole(bad.getBytes(UTF_8), false);
        }
    }

    @Test
    void validatingFindsInvalidUtf8AfterTheMemberAndInValuesItSkips() throws IOException {
        // A stray byte, a lead byte without its continuation, a sequence cut short, a continuation alone.
        String[] bad = {"{\"model\":\"m\",\"a\":\"\u00ff\"}", "{\"a\":\"\u00c3(\",\"model\":\"m\"}",
                "{\"a\":\"\u00e2\u0082\"}", "{\"\u0080\":1}"};
        for (String latin1 : bad) {
            assertValidatedWhole(latin1.getBytes(StandardCharsets.ISO_8859_1), false);
        }
    }

    @Test
    void modelInEverySseFixtureEvent() throws IOException {
        for (String fixture : Fixtures.SSE) {
            for (String data : allData(fixture)) {
                if (data.equals("[DONE]")) {
                    continue;
                }
                ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(data.getBytes(UTF_8));
                try {
                    long span = JsonSpans.findTopLevelString(buf, 0, buf.readableBytes(), MODEL);
                    if (fixture.startsWith("openai/chat") || fixture.startsWith("ollama")) {
                        assertTrue(span >= 0, data);
                        assertEquals('"', buf.getByte(JsonSpans.start(span)));
                        assertEquals('"', buf.getByte(JsonSpans.end(span) - 1));
                    } else {
                        assertEquals(-1, span, data);
                    }
                } finally {
                    buf.release();
                }
            }
        }
    }

    /**
     * Mutated answer bodies, each found in every buffer kind (the byte walk, and Jackson where the walk leaves the
     * body to it) and compared with Jackson's own tokens: the same member, or both reject the body.
     */
    @Test
    void mutatedBodiesAreFoundAsJacksonFindsThem() throws IOException {
        String[] seeds = {
                "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":17,\"model\":\"up-2\","
                        + "\"choices\":[{\"index\":0,\"message\":{\"content\":\"a\\\"b\"}}]}",
                "{ \"n\" : [ 1.5e3 , -0 , true , null , { } ] , \"s\" : \"\\u0041\" , \"model\" : \"m\" }"};
        byte[] alphabet = "{}[]\":,.-+e0123456789 \\unmodel".getBytes(StandardCharsets.US_ASCII);
        java.util.Random random = new java.util.Random(18);
        int found = 0;
        for (int round = 0; round < 1500; round++) {
            byte[] bytes = seeds[round % seeds.length].getBytes(StandardCharsets.US_ASCII);
            for (int edits = 1 + random.nextInt(2); edits > 0; edits--) {
                bytes[random.nextInt(bytes.length)] = alphabet[random.nextInt(alphabet.length)];
            }
            String json = new String(bytes, StandardCharsets.US_ASCII);
            String expected;
            try {
                expected = jacksonModel(json);
            } catch (IOException rejected) {
                assertThrows(IOException.class, () -> find(json, MODEL), json);
                continue;
            }
            assertEquals(expected, find(json, MODEL), json);
            found += expected == null ? 0 : 1;
        }
        assertTrue(found > 100, "few mutated bodies kept a model: " + found);
    }

    /** The first top-level {@code model} by Jackson's tokens: its string token, or null; throws where Jackson does. */
    private static String jacksonModel(String json) throws IOException {
        try (com.fasterxml.jackson.core.JsonParser p = Json.FACTORY.createParser(json)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                boolean model = p.currentName().equals("model");
                com.fasterxml.jackson.core.JsonToken value = p.nextToken();
                if (model) {
                    if (value != com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                        return null;
                    }
                    int start = (int) p.currentTokenLocation().getCharOffset();
                    p.finishToken();
                    return json.substring(start, (int) p.currentLocation().getCharOffset());
                }
                p.skipChildren();
            }
            return null;
        }
    }

    private static String firstData(String fixture) {
        return allData(fixture).get(0);
    }

    private static List<String> allData(String fixture) {
        List<String> data = new ArrayList<>();
        SseFramer framer = new SseFramer(e -> {
            try {
                if (e.hasData()) {
                    data.add(e.content().toString(e.dataOffset(), e.dataLength(), UTF_8));
                }
            } finally {
                e.content().release();
            }
        }, ProviderConfig.DEFAULT_MAX_SSE_EVENT_BYTES);
        framer.feed(Unpooled.wrappedBuffer(Fixtures.bytes(fixture)));
        framer.finish();
        return data;
    }
}
