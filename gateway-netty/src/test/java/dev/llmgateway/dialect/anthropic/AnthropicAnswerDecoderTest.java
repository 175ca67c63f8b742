package dev.llmgateway.dialect.anthropic;

import dev.llmgateway.dialect.AnswerRecorder;
import dev.llmgateway.dialect.StreamSplits;
import dev.llmgateway.testutil.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnthropicAnswerDecoderTest {
    private static final String SIGNATURE = "EqQBCkYICxgCKkBsYW50aGV0aWMtc2lnbmF0dXJlLWZvci10ZXN0cy1vbmx5LW5vdC1yZW"
            + "FsLWRhdGEtMDEyMzQ1Njc4OUFCQ0RFRhIMc3ludGhldGljLXNpZxoMc3ludGhldGljLWlkIjBzeW50aGV0aWMtcGF5bG9hZC1vc"
            + "GFxdWUtdG8tY2xpZW50cy1lY2hvLWl0LWJhY2sYAQ==";

    @Test
    void textStream() {
        assertStream("anthropic/message-stream.sse", true, List.of(
                "start msg_01QxZ7bT4nLm2VcR8sWk5PyH",
                "usage in=21 cached=0 write=0 out=1 reasoning=-1",
                "text The", "text  capital of France", "text  is Paris", "text .",
                "finish STOP",
                "usage in=21 cached=0 write=0 out=10 reasoning=-1",
                "end"));
    }

    @Test
    void textThenToolUseKeepsEveryArgumentFragmentAndEndsInToolCalls() {
        assertStream("anthropic/message-stream-tool-use.sse", true, List.of(
                "start msg_01Vb6nTq3RzWk8LpXs2YdMcF",
                "usage in=472 cached=0 write=0 out=2 reasoning=-1",
                "text I'll check", "text  the weather in Paris", "text  for you.",
                "tool 0 toolu_01T1x1fJ34qAmk2tNTrN7Up6 get_weather",
                "args 0 {\"city\": \"P", "args 0 aris\", \"un", "args 0 it\": \"cels", "args 0 ius\"}",
                "finish TOOL_CALLS",
                "usage in=472 cached=0 write=0 out=89 reasoning=-1",
                "end"));
    }

    @Test
    void thinkingWithItsSignatureThenText() {
        assertStream("anthropic/message-stream-thinking.sse", true, List.of(
                "start msg_01Ry5mKp9WqT2vXn7LbZ4HcS",
                "usage in=69 cached=0 write=0 out=2 reasoning=-1",
                "reasoning The user wants", "reasoning  27 * 453.", "reasoning  27 * 453 = 27 * 400 + 27 * 53",
                "reasoning  = 10800 + 1431", "reasoning  = 12231.",
                "signature " + SIGNATURE,
                "text 27 × 453", "text  = **12,231**",
                "finish STOP",
                "usage in=69 cached=0 write=0 out=95 reasoning=-1",
                "end"));
    }

    @Test
    void anErrorEventMidStreamEndsTheAnswerWithThatError() {
        assertStream("anthropic/message-stream-error-overloaded.sse", true, List.of(
                "start msg_01KfpJoAEabmH2iHRRFjQMAG",
                "usage in=17 cached=0 write=0 out=1 reasoning=-1",
                "text Hello",
                "error 529 server_error overloaded_error Overloaded"));
    }

    @Test
    void aStreamCutBeforeMessageStopIsNotAnEnd() {
        byte[] whole = Fixtures.bytes("anthropic/message-stream.sse");
        String text = new String(whole, StandardCharsets.UTF_8);
        byte[] cut = text.substring(0, text.indexOf("event: message_delta")).getBytes(StandardCharsets.UTF_8);
        AnswerRecorder events = new AnswerRecorder();
        assertFalse(StreamSplits.feedRandomly(cut, 7, new AnthropicAnswerDecoder(events, false)));
        assertEquals("text .", events.events.get(events.events.size() - 1));
    }

    @Test
    void parallelToolUseBlocksAreNumberedAmongToolCalls() {
        String stream = """
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":5,"cache_read_input_tokens":100,"cache_creation_input_tokens":7,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Both."}}

                event: content_block_start
                data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_a","name":"get_weather","input":{}}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\":\\"Paris\\"}"}}

                event: content_block_start
                data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_b","name":"get_time","input":{}}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"tz\\":\\"CET\\"}"}}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":30}}

                event: message_stop
                data: {"type":"message_stop"}

                """;
        AnswerRecorder events = new AnswerRecorder();
        assertTrue(StreamSplits.feedRandomly(stream.getBytes(StandardCharsets.UTF_8), 3,
                new AnthropicAnswerDecoder(events, false)));
        assertEquals(List.of("start msg_1", "usage in=112 cached=100 write=7 out=1 reasoning=-1", "text Both.",
                "tool 0 toolu_a get_weather", "args 0 {\"city\":\"Paris\"}",
                "tool 1 toolu_b get_time", "args 1 {\"tz\":\"CET\"}",
                "finish TOOL_CALLS", "usage in=112 cached=100 write=7 out=30 reasoning=-1", "end"), events.events);
    }

    @Test
    void theStructuredOutputToolBecomesTextAndAPlainStop() {
        String stream = """
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_2","usage":{"input_tokens":9,"output_tokens":1}}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_j","name":"json_response","input":{}}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\"ok\\":"}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"true}"}}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":4}}

                event: message_stop
                data: {"type":"message_stop"}

                """;
        AnswerRecorder events = new AnswerRecorder();
        assertTrue(StreamSplits.feedRandomly(stream.getBytes(StandardCharsets.UTF_8), 11,
                new AnthropicAnswerDecoder(events, true)));
        assertEquals(List.of("start msg_2", "usage in=9 cached=-1 write=-1 out=1 reasoning=-1", "text {\"ok\":",
                "text true}", "finish STOP", "usage in=9 cached=-1 write=-1 out=4 reasoning=-1", "end"),
                events.events);
    }

    @Test
    void messageBodies() throws Exception {
        assertEquals(List.of("start msg_01Hk9TzQmWv3RbN7pLx2YcDa", "text The capital of France is Paris.",
                "finish STOP", "usage in=21 cached=0 write=0 out=10 reasoning=-1", "end"),
                body("anthropic/message.json"));
        assertEquals(List.of("start msg_01Jd4sWq8XvN2kLp7RtY3bMc", "text I'll check the weather in Paris for you.",
                "tool 0 toolu_01A09q90qw90lq917835lq9f get_weather", "args 0 {\"city\":\"Paris\",\"unit\":\"celsius\"}",
                "finish TOOL_CALLS", "usage in=412 cached=0 write=0 out=74 reasoning=-1", "end"),
                body("anthropic/message-tool-use.json"));
        assertEquals(List.of("start msg_01Pq2wErTy6UiOp9AsDf3GhJ", "text 1, 2, 3, 4", "finish STOP , 5",
                "usage in=1042 cached=1024 write=0 out=12 reasoning=-1", "end"),
                body("anthropic/message-stop-sequence-cache.json"));
    }

    @Test
    void eventsWhoseTypeIsNotFirstAreStillRead() {
        String stream = "data: {\"message\":{\"id\":\"msg_3\"},\"type\":\"message_start\"}\n\n"
                + "data: {\"index\":0,\"content_block\":{\"text\":\"\",\"type\":\"text\"},\"type\":\"content_block_start\"}\n\n"
                + "data: {\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"},\"type\":\"content_block_delta\"}\n\n"
                + "data: {\"delta\":{\"stop_reason\":\"max_tokens\"},\"type\":\"message_delta\"}\n\n"
                + "data: {\"type\":\"message_stop\"}\n\n";
        AnswerRecorder events = new AnswerRecorder();
        assertTrue(StreamSplits.feedRandomly(stream.getBytes(StandardCharsets.UTF_8), 5,
                new AnthropicAnswerDecoder(events, false)));
        assertEquals(List.of("start msg_3", "usage in=-1 cached=-1 write=-1 out=-1 reasoning=-1", "text hi",
                "finish LENGTH", "usage in=-1 cached=-1 write=-1 out=-1 reasoning=-1", "end"), events.events);
    }

    private static void assertStream(String fixture, boolean complete, List<String> expected) {
        byte[] bytes = Fixtures.bytes(fixture);
        for (long seed = 0; seed < 60; seed++) {
            AnswerRecorder events = new AnswerRecorder();
            assertEquals(complete, StreamSplits.feedRandomly(bytes, seed, new AnthropicAnswerDecoder(events, false)),
                    fixture + " seed " + seed);
            assertEquals(expected, events.events, fixture + " seed " + seed);
        }
    }

    private static List<String> body(String fixture) throws Exception {
        AnswerRecorder events = new AnswerRecorder();
        ByteBuf body = Unpooled.wrappedBuffer(Fixtures.bytes(fixture));
        try {
            AnthropicAnswerDecoder decoder = new AnthropicAnswerDecoder(events, false);
            decoder.body(body, body.readerIndex(), body.readableBytes());
        } finally {
            body.release();
        }
        return events.events;
    }

    /** The 1-hour cache writes are carried apart from the 5-minute ones, from message_start on. */
    @Test
    void cacheWritesKeepTheirLifetime() {
        AnswerRecorder events = new AnswerRecorder();
        byte[] stream = ("""
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_9","usage":{"input_tokens":1000,"cache_creation_input_tokens":3000,"cache_read_input_tokens":20000,"cache_creation":{"ephemeral_5m_input_tokens":2000,"ephemeral_1h_input_tokens":1000},"output_tokens":1}}}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":500}}

                event: message_stop
                data: {"type":"message_stop"}

                """).getBytes(StandardCharsets.UTF_8);
        assertTrue(StreamSplits.feedRandomly(stream, 3, new AnthropicAnswerDecoder(events, false)));
        assertEquals(List.of("start msg_9", "usage in=24000 cached=20000 write=3000 write1h=1000 out=1 reasoning=-1",
                "finish STOP", "usage in=24000 cached=20000 write=3000 write1h=1000 out=500 reasoning=-1", "end"),
                events.events);
    }
}
