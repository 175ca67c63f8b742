package dev.llmgateway.dialect.openai;

import dev.llmgateway.config.MockOptions;
import dev.llmgateway.dialect.AnswerRecorder;
import dev.llmgateway.dialect.StreamSplits;
import dev.llmgateway.mock.MockProvider;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.upstream.UpstreamListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OpenAI and OpenAI-compatible answers read as neutral events; expected lists written from the fixtures. */
class OpenAiAnswerDecoderTest {
    private static final int SEEDS = 60;

    @Test
    void openAiStreamWithUsage() {
        assertStream("openai/chat-completion-stream.sse", List.of(
                "start chatcmpl-Bq7XhT2mLr9wKfA3sVn1eYpZuH0dG",
                "text The", "text  capital", "text  of", "text  France", "text  is", "text  Paris", "text .",
                "finish STOP",
                "usage in=24 cached=0 write=-1 out=8 reasoning=0",
                "end"));
    }

    @Test
    void openAiStreamWithoutUsage() {
        assertStream("openai/chat-completion-stream-no-usage.sse", List.of(
                "start chatcmpl-Bq7ZaW5cNf3yHgE9uKp2xRbMi7Tj",
                "text Hello", "text !", "text  How", "text  can", "text  I", "text  help", "text ?",
                "finish STOP",
                "end"));
    }

    @Test
    void openAiStreamWithTwoParallelToolCalls() {
        assertStream("openai/chat-completion-stream-tool-calls.sse", List.of(
                "start chatcmpl-Bq7aRz8kQm1vT5nXy3LcWd6Hp0Ge",
                "tool 0 call_Xk3pQ9vR2mT8nW4yL6bJ1cF5 get_weather",
                "args 0 {\"ci", "args 0 ty\":", "args 0  \"Paris", "args 0 \", \"unit\"", "args 0 : \"celsius\"}",
                "tool 1 call_Hq7mW2sK9pL4vN8rT1cY6dB3 get_weather",
                "args 1 {\"ci", "args 1 ty\": \"Tokyo\"", "args 1 , \"unit\": \"celsius\"}",
                "finish TOOL_CALLS",
                "usage in=96 cached=0 write=-1 out=52 reasoning=0",
                "end"));
    }

    @Test
    void ollamaStreamRepeatsRoleAndEmptyContentWhichAreNotText() {
        assertStream("ollama/chat-completion-stream.sse", List.of(
                "start chatcmpl-417",
                "text The", "text  capital", "text  of", "text  France", "text  is", "text  Paris", "text .",
                "finish STOP",
                "end"));
    }

    @Test
    void ollamaUsageChunkHasNoDetails() {
        assertStream("ollama/chat-completion-stream-include-usage.sse", List.of(
                "start chatcmpl-88",
                "text The", "text  capital of France is Paris.",
                "finish STOP",
                "usage in=32 cached=-1 write=-1 out=8 reasoning=-1",
                "end"));
    }

    @Test
    void ollamaToolCallComesWholeInOneChunk() {
        assertStream("ollama/chat-completion-stream-tool-call.sse", List.of(
                "start chatcmpl-902",
                "tool 0 call_k3v9x2mq get_weather",
                "args 0 {\"city\":\"Paris\",\"unit\":\"celsius\"}",
                "finish TOOL_CALLS",
                "end"));
    }

    @Test
    void openAiBody() throws IOException {
        assertEquals(List.of(
                "start chatcmpl-Bq7XhT2mLr9wKfA3sVn1eYpZuH0dG",
                "text The capital of France is Paris.",
                "finish STOP",
                "usage in=24 cached=0 write=-1 out=8 reasoning=0",
                "end"), body(Fixtures.bytes("openai/chat-completion.json")));
    }

    @Test
    void openAiBodyWithToolCall() throws IOException {
        assertEquals(List.of(
                "start chatcmpl-Bq7YkP4nVs2xJdC8rTm6wQaLe1Hf",
                "tool 0 call_Xk3pQ9vR2mT8nW4yL6bJ1cF5 get_weather",
                "args 0 {\"city\":\"Paris\",\"unit\":\"celsius\"}",
                "finish TOOL_CALLS",
                "usage in=82 cached=0 write=-1 out=19 reasoning=0",
                "end"), body(Fixtures.bytes("openai/chat-completion-tool-calls.json")));
    }

    @Test
    void heapBodyInTheMiddleOfABufferReadsAsADirectOne() throws IOException {
        byte[] json = Fixtures.bytes("openai/chat-completion.json");
        byte[] padded = new byte[json.length + 20];
        System.arraycopy(json, 0, padded, 10, json.length);
        ByteBuf heap = Unpooled.wrappedBuffer(padded, 5, padded.length - 5);
        AnswerRecorder recorder = new AnswerRecorder();
        new OpenAiAnswerDecoder(recorder).body(heap, heap.readerIndex() + 5, json.length);
        assertEquals(body(json), recorder.events);
    }

    @Test
    void bodyPartsGoOutInEventOrderWhateverTheirOrderInTheBody() throws IOException {
        String deepSeek = """
                {"id":"ds-1","object":"chat.completion","choices":[{"index":0,"finish_reason":"stop",
                 "message":{"role":"assistant","content":"Paris.","reasoning_content":"The capital...",
                  "tool_calls":[{"type":"function","function":{"name":"log","arguments":""}}]}}],
                 "usage":{"prompt_tokens":10,"completion_tokens":20,"prompt_cache_hit_tokens":6,
                  "completion_tokens_details":{"reasoning_tokens":12}}}
                """;
        List<String> events = body(deepSeek.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("start ds-1", "reasoning The capital...", "text Paris."), events.subList(0, 3));
        assertTrue(events.get(3).matches("tool 0 call_[A-Za-z0-9]{24} log"), events.get(3));
        assertEquals(List.of("finish TOOL_CALLS", "usage in=10 cached=6 write=-1 out=20 reasoning=12", "end"),
                events.subList(4, events.size()));
    }

    @Test
    void streamCutBeforeDoneHasNotEnded() {
        byte[] whole = Fixtures.bytes("openai/chat-completion-stream.sse");
        String text = new String(whole, StandardCharsets.UTF_8);
        byte[] cut = text.substring(0, text.indexOf("data: [DONE]")).getBytes(StandardCharsets.UTF_8);
        for (long seed = 0; seed < SEEDS; seed++) {
            AnswerRecorder recorder = new AnswerRecorder();
            assertFalse(StreamSplits.feedRandomly(cut, seed, new OpenAiAnswerDecoder(recorder)));
            assertEquals("usage in=24 cached=0 write=-1 out=8 reasoning=0", recorder.events.get(
                    recorder.events.size() - 1), "everything up to the cut was read, and no end");
        }
    }

    @Test
    void errorMidStreamEndsTheAnswerAndNothingFollows() {
        String stream = chunk("{\"role\":\"assistant\",\"content\":\"\"}", null)
                + chunk("{\"content\":\"Partial\"}", null)
                + "data: {\"error\":{\"message\":\"The server had an error while processing your request. Sorry "
                + "about that!\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n"
                + chunk("{\"content\":\"after\"}", null)
                + "data: [DONE]\n\n";
        assertStream(stream.getBytes(StandardCharsets.UTF_8), List.of(
                "start chatcmpl-x",
                "text Partial",
                "error 500 server_error server_error The server had an error while processing your request. "
                        + "Sorry about that!"), true);
    }

    @Test
    void aNullErrorMemberIsNoError() {
        String stream = "data: {\"id\":\"c\",\"error\":null,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},"
                + "\"finish_reason\":\"stop\"}]}\n\n"
                + "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n"
                + "data: [DONE]\n\n";
        assertStream(stream.getBytes(StandardCharsets.UTF_8), List.of(
                "start c", "text Hi", "finish STOP", "usage in=3 cached=-1 write=-1 out=1 reasoning=-1", "end"), true);
    }

    @Test
    void unwrappedVllmErrorEventKeepsItsStatus() {
        String stream = chunk("{\"content\":\"Hi\"}", null)
                + "data: {\"object\":\"error\",\"message\":\"max_tokens is too large\",\"type\":\"BadRequestError\","
                + "\"param\":null,\"code\":400}\n\n";
        assertStream(stream.getBytes(StandardCharsets.UTF_8), List.of(
                "start chatcmpl-x", "text Hi", "error 400 BadRequestError BadRequestError max_tokens is too large"),
                true);
    }

    @Test
    void textThenToolCallWithTheServerSayingStopIsToolCalls() {
        String stream = chunk("{\"role\":\"assistant\",\"content\":\"Let me look.\"}", null)
                + chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":"
                + "{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", null)
                + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]}",
                null)
                + chunk("{}", "stop")
                + "data: [DONE]\n\n";
        assertStream(stream.getBytes(StandardCharsets.UTF_8), List.of(
                "start chatcmpl-x", "text Let me look.", "tool 0 call_1 get_weather", "args 0 {\"city\":\"Oslo\"}",
                "finish TOOL_CALLS", "end"), true);
    }

    @Test
    void callsThatEachRestartAtIndexZeroOrHaveNoIndexAreSeparateCalls() {
        String stream = chunk("{\"tool_calls\":[{\"id\":\"call_a\",\"index\":0,\"function\":{\"name\":\"one\","
                + "\"arguments\":\"{}\"}}]}", null)
                + chunk("{\"tool_calls\":[{\"id\":\"call_b\",\"index\":0,\"function\":{\"name\":\"two\","
                + "\"arguments\":\"{\\\"x\\\":1}\"}}]}", null)
                + chunk("{\"tool_calls\":[{\"id\":\"call_c\",\"function\":{\"name\":\"three\",\"arguments\":\"{\"}}]}",
                null)
                + chunk("{\"tool_calls\":[{\"function\":{\"arguments\":\"}\"}}]}", null)
                + chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_b\",\"function\":{\"arguments\":\"\"}}]}", null)
                + chunk("{}", "tool_calls")
                + "data: [DONE]\n\n";
        assertStream(stream.getBytes(StandardCharsets.UTF_8), List.of(
                "start chatcmpl-x",
                "tool 0 call_a one", "args 0 {}",
                "tool 1 call_b two", "args 1 {\"x\":1}",
                "tool 2 call_c three", "args 2 {", "args 2 }",
                "finish TOOL_CALLS", "end"), true);
    }

    @Test
    void reasoningInEitherFieldIsReadOnce() {
        String stream = chunk("{\"role\":\"assistant\",\"reasoning_content\":\"Hmm\",\"reasoning\":\"Hmm\"}", null)
                + chunk("{\"reasoning\":\", so\"}", null)
                + chunk("{\"content\":\"Yes.\"}", null)
                + chunk("{}", "length")
                + "data: [DONE]\n\n";
        assertStream(stream.getBytes(StandardCharsets.UTF_8), List.of(
                "start chatcmpl-x", "reasoning Hmm", "reasoning , so", "text Yes.", "finish LENGTH", "end"), true);
    }

    @Test
    void refusalIsShownAsTextAndFinishesAsContentFilter() {
        String stream = chunk("{\"role\":\"assistant\",\"content\":null,\"refusal\":\"\"}", null)
                + chunk("{\"refusal\":\"I can't help with that.\"}", null)
                + chunk("{}", "stop")
                + "data: [DONE]\n\n";
        assertStream(stream.getBytes(StandardCharsets.UTF_8), List.of(
                "start chatcmpl-x", "text I can't help with that.", "finish CONTENT_FILTER", "end"), true);
    }

    @Test
    void mockProviderStreamAndBody() throws Exception {
        byte[] stream = mockAnswer(true);
        for (long seed = 0; seed < SEEDS; seed++) {
            AnswerRecorder recorder = new AnswerRecorder();
            assertTrue(StreamSplits.feedRandomly(stream, seed, new OpenAiAnswerDecoder(recorder)));
            assertTrue(recorder.events.get(0).startsWith("start chatcmpl-mock"), recorder.events.get(0));
            assertEquals(List.of("text This ", "text is ", "text a ", "text streamed ", "text answer",
                    "finish STOP", "usage in=20 cached=-1 write=-1 out=5 reasoning=-1", "end"),
                    recorder.events.subList(1, recorder.events.size()), "seed " + seed);
        }
        List<String> body = body(mockAnswer(false));
        assertTrue(body.get(0).startsWith("start chatcmpl-mock"), body.get(0));
        assertEquals(List.of("text This is a streamed answer", "finish STOP",
                "usage in=20 cached=-1 write=-1 out=5 reasoning=-1", "end"), body.subList(1, body.size()));
    }

    /** What the built-in mock sends for 5 tokens and an 80-byte request (20 prompt tokens), run on a real event loop. */
    private static byte[] mockAnswer(boolean stream) throws Exception {
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CompletableFuture<byte[]> done = new CompletableFuture<>();
            String json = "{\"model\":\"mock-1\",\"stream\":" + stream + ",\"stream_options\":{\"include_usage\":true}}";
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
                    "/chat/completions", Unpooled.copiedBuffer(String.format("%-80s", json), StandardCharsets.UTF_8));
            MockProvider.answer(new MockOptions(5, Duration.ZERO), loop).send(request, new UpstreamListener() {
                        @Override
                        public void onResponseHead(HttpResponse head) {
                        }

                        @Override
                        public void onResponseContent(HttpContent content) {
                            try {
                                ByteBuf buf = content.content();
                                buf.getBytes(buf.readerIndex(), bytes, buf.readableBytes());
                            } catch (IOException e) {
                                done.completeExceptionally(e);
                            } finally {
                                content.release();
                            }
                            if (content instanceof LastHttpContent) {
                                done.complete(bytes.toByteArray());
                            }
                        }

                        @Override
                        public void onUpstreamFailure(Throwable cause) {
                            done.completeExceptionally(cause);
                        }
                    });
            return done.get(10, TimeUnit.SECONDS);
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static String chunk(String delta, String finishReason) {
        return "data: {\"id\":\"chatcmpl-x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]}\n\n";
    }

    private static void assertStream(String fixture, List<String> expected) {
        assertStream(Fixtures.bytes(fixture), expected, true);
    }

    private static void assertStream(byte[] stream, List<String> expected, boolean ended) {
        for (long seed = 0; seed < SEEDS; seed++) {
            AnswerRecorder recorder = new AnswerRecorder();
            assertEquals(ended, StreamSplits.feedRandomly(stream, seed, new OpenAiAnswerDecoder(recorder)));
            assertEquals(expected, recorder.events, "seed " + seed);
        }
    }

    private static List<String> body(byte[] json) throws IOException {
        AnswerRecorder recorder = new AnswerRecorder();
        OpenAiAnswerDecoder decoder = new OpenAiAnswerDecoder(recorder);
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(json.length).writeBytes(json);
        try {
            decoder.body(direct, direct.readerIndex(), direct.readableBytes());
        } finally {
            direct.release();
        }
        return recorder.events;
    }
}
