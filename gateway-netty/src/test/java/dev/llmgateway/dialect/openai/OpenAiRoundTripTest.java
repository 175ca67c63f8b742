package dev.llmgateway.dialect.openai;

import dev.llmgateway.dialect.AnswerRecorder;
import dev.llmgateway.dialect.StreamSplits;
import dev.llmgateway.testutil.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A provider's answer decoded and encoded again for an OpenAI client carries the same content, tool calls,
 * finish reason and usage: what the client's own reader gets out of the encoder's output equals what was read
 * from the fixture.
 */
class OpenAiRoundTripTest {
    private static final int SEEDS = 50;

    /** Each fixture with its content, finish, usage and tool calls ("id name joined-arguments"), read by hand. */
    static Stream<Arguments> streams() {
        String paris = "text The capital of France is Paris.";
        return Stream.of(
                Arguments.of("openai/chat-completion-stream.sse", List.of(paris, "finish STOP",
                        "usage in=24 cached=0 write=-1 out=8 reasoning=0")),
                Arguments.of("openai/chat-completion-stream-no-usage.sse", List.of("text Hello! How can I help?",
                        "finish STOP", "null")),
                Arguments.of("openai/chat-completion-stream-tool-calls.sse", List.of("text ", "finish TOOL_CALLS",
                        "usage in=96 cached=0 write=-1 out=52 reasoning=0",
                        "call_Xk3pQ9vR2mT8nW4yL6bJ1cF5 get_weather {\"city\": \"Paris\", \"unit\": \"celsius\"}",
                        "call_Hq7mW2sK9pL4vN8rT1cY6dB3 get_weather {\"city\": \"Tokyo\", \"unit\": \"celsius\"}")),
                Arguments.of("ollama/chat-completion-stream.sse", List.of(paris, "finish STOP", "null")),
                Arguments.of("ollama/chat-completion-stream-include-usage.sse", List.of(paris, "finish STOP",
                        "usage in=32 cached=-1 write=-1 out=8 reasoning=-1")),
                Arguments.of("ollama/chat-completion-stream-tool-call.sse", List.of("text ", "finish TOOL_CALLS",
                        "null", "call_k3v9x2mq get_weather {\"city\":\"Paris\",\"unit\":\"celsius\"}")));
    }

    @ParameterizedTest
    @MethodSource("streams")
    void streamThroughDecoderAndChunkEncoder(String fixture, List<String> expected) {
        byte[] provider = Fixtures.bytes(fixture);
        AnswerRecorder direct = new AnswerRecorder();
        assertTrue(StreamSplits.feedRandomly(provider, 0, new OpenAiAnswerDecoder(direct)));
        for (long seed = 0; seed < SEEDS; seed++) {
            ByteArrayOutputStream client = new ByteArrayOutputStream();
            OpenAiChunkEncoder encoder = new OpenAiChunkEncoder(PooledByteBufAllocator.DEFAULT,
                    event -> append(client, event), "client-model", true, "req1");
            assertTrue(StreamSplits.feedRandomly(provider, seed, new OpenAiAnswerDecoder(encoder)));
            AnswerRecorder again = new AnswerRecorder();
            assertTrue(StreamSplits.feedRandomly(client.toByteArray(), seed + 1, new OpenAiAnswerDecoder(again)));
            assertEquals(expected, summary(again.events), "seed " + seed);
            assertEquals(direct.events, again.events, "even the fragments are kept; seed " + seed);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai/chat-completion.json", "openai/chat-completion-tool-calls.json"})
    void bodyThroughDecoderAndCompletionEncoder(String fixture) throws IOException {
        byte[] provider = Fixtures.bytes(fixture);
        AnswerRecorder direct = new AnswerRecorder();
        new OpenAiAnswerDecoder(direct).body(Unpooled.wrappedBuffer(provider), 0, provider.length);
        OpenAiCompletionEncoder encoder = new OpenAiCompletionEncoder(PooledByteBufAllocator.DEFAULT, "m", "r");
        new OpenAiAnswerDecoder(encoder).body(Unpooled.wrappedBuffer(provider), 0, provider.length);
        ByteBuf body = encoder.body();
        AnswerRecorder again = new AnswerRecorder();
        try {
            new OpenAiAnswerDecoder(again).body(body, body.readerIndex(), body.readableBytes());
        } finally {
            body.release();
        }
        assertEquals(direct.events, again.events);
    }

    /** Joined text, each tool call as "id name joined-arguments", the finish and the last usage. */
    private static List<String> summary(List<String> events) {
        StringBuilder text = new StringBuilder();
        List<StringBuilder> calls = new ArrayList<>();
        String finish = null;
        String usage = null;
        for (String event : events) {
            if (event.startsWith("text ")) {
                text.append(event.substring(5));
            } else if (event.startsWith("tool ")) {
                calls.add(new StringBuilder(event.substring(event.indexOf(' ', 5) + 1)).append(' '));
            } else if (event.startsWith("args ")) {
                int call = Integer.parseInt(event.substring(5, event.indexOf(' ', 5)));
                calls.get(call).append(event.substring(event.indexOf(' ', 5) + 1));
            } else if (event.startsWith("finish ")) {
                finish = event;
            } else if (event.startsWith("usage ")) {
                usage = event;
            }
        }
        List<String> summary = new ArrayList<>(List.of("text " + text, String.valueOf(finish),
                String.valueOf(usage)));
        calls.forEach(call -> summary.add(call.toString()));
        return summary;
    }

    private static void append(ByteArrayOutputStream to, ByteBuf event) {
        try {
            event.getBytes(event.readerIndex(), to, event.readableBytes());
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            event.release();
        }
    }
}
