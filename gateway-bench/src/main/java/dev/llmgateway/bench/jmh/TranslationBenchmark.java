package dev.llmgateway.bench.jmh;

import dev.llmgateway.dialect.AnswerDecoder;
import dev.llmgateway.dialect.AnswerEvents;
import dev.llmgateway.dialect.anthropic.AnthropicAnswerDecoder;
import dev.llmgateway.dialect.anthropic.AnthropicEventEncoder;
import dev.llmgateway.dialect.gemini.GeminiAnswerDecoder;
import dev.llmgateway.dialect.gemini.GeminiChunkEncoder;
import dev.llmgateway.dialect.openai.OpenAiAnswerDecoder;
import dev.llmgateway.dialect.openai.OpenAiChunkEncoder;
import dev.llmgateway.dialect.openai.ResponsesEventEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The translating relay's per-event cost: one provider stream event's data (already framed, in a direct buffer as
 * a socket read leaves it) decoded into neutral events and written as the client's event in a pooled buffer,
 * which is then released as a socket write would. Each case starts its answer in setup, so an op is one event in
 * the middle of a stream: a text delta, or a tool call's argument fragment. A Responses answer keeps its text for
 * its done events, so each iteration starts a new answer.
 */
public class TranslationBenchmark extends AbstractMicrobenchmark {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** provider dialect → client dialect, and the event kind. */
    @Param({"anthropic-text>openai", "anthropic-tool-args>openai", "gemini-text>openai", "openai-text>anthropic",
            "gemini-text>anthropic", "openai-text>gemini", "anthropic-text>gemini", "anthropic-text>responses",
            "openai-text>responses"})
    public String path;

    private ByteBuf event;
    private AnswerDecoder decoder;
    private Blackhole blackhole;

    @Setup(Level.Iteration)
    public void setUp(Blackhole blackhole) throws IOException {
        this.blackhole = blackhole;
        Consumer<ByteBuf> socket = this::written;
        switch (path) {
            case "anthropic-text>openai", "anthropic-tool-args>openai", "anthropic-text>gemini",
                    "anthropic-text>responses" -> {
                decoder = new AnthropicAnswerDecoder(client(socket), false);
                feed("{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01QxZ7bT4nLm2VcR8sWk5PyH\",\"type\":\"message\","
                        + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],"
                        + "\"usage\":{\"input_tokens\":21,\"output_tokens\":1}}}");
                if (path.startsWith("anthropic-text")) {
                    feed("{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
                    event = direct("{\"type\":\"content_block_delta\",\"index\":0,"
                            + "\"delta\":{\"type\":\"text_delta\",\"text\":\" capital of France\"}}");
                    decoder.streamData(event, event.readerIndex(), event.readableBytes());
                } else {
                    feed("{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\","
                            + "\"id\":\"toolu_01T1x1fJ34qAmk2tNTrN7Up6\",\"name\":\"get_weather\",\"input\":{}}}");
                    event = direct("{\"type\":\"content_block_delta\",\"index\":0,"
                            + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \\\"P\"}}");
                }
            }
            case "gemini-text>openai", "gemini-text>anthropic" -> {
                decoder = new GeminiAnswerDecoder(client(socket));
                event = direct("{\"candidates\": [{\"content\": {\"parts\": [{\"text\": \" is known for the Eiffel Tower,\"}],"
                        + "\"role\": \"model\"},\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 14,"
                        + "\"candidatesTokenCount\": 15,\"totalTokenCount\": 60,\"thoughtsTokenCount\": 31},"
                        + "\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": \"WEXbaMnpF7iPjMcP27mckQE\"}");
                decoder.streamData(event, event.readerIndex(), event.readableBytes());
            }
            case "openai-text>anthropic", "openai-text>gemini", "openai-text>responses" -> {
                decoder = new OpenAiAnswerDecoder(client(socket));
                feed("{\"id\":\"chatcmpl-Bq7a\",\"object\":\"chat.completion.chunk\",\"created\":1755000090,"
                        + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
                        + "\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}");
                event = direct("{\"id\":\"chatcmpl-Bq7a\",\"object\":\"chat.completion.chunk\",\"created\":1755000090,"
                        + "\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\","
                        + "\"system_fingerprint\":\"fp_8bda4d3a2c\",\"choices\":[{\"index\":0,"
                        + "\"delta\":{\"content\":\" capital of France\"},\"logprobs\":null,\"finish_reason\":null}],"
                        + "\"obfuscation\":\"Rt2\"}");
                decoder.streamData(event, event.readerIndex(), event.readableBytes());
            }
            default -> throw new IllegalArgumentException(path);
        }
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
        event.release();
    }

    @Benchmark
    public void translateOneEvent() throws IOException {
        decoder.streamData(event, event.readerIndex(), event.readableBytes());
    }

    /** The stream encoder of the client dialect the case names after its {@code >}. */
    private AnswerEvents client(Consumer<ByteBuf> socket) {
        return switch (path.substring(path.indexOf('>') + 1)) {
            case "openai" -> new OpenAiChunkEncoder(ALLOC, socket, "claude-sonnet", true, "req_1");
            case "anthropic" -> new AnthropicEventEncoder(ALLOC, socket, "claude-sonnet", "req_1");
            // the first text delta of the setup has opened the Responses client's message item
            case "responses" -> new ResponsesEventEncoder(ALLOC, socket, "gpt-5-codex", "req_1", Set.of());
            default -> new GeminiChunkEncoder(ALLOC, socket, "claude-sonnet", "req_1");
        };
    }

    private void feed(String json) throws IOException {
        ByteBuf data = direct(json);
        try {
            decoder.streamData(data, data.readerIndex(), data.readableBytes());
        } finally {
            data.release();
        }
    }

    private static ByteBuf direct(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return ALLOC.directBuffer(bytes.length).writeBytes(bytes);
    }

    private void written(ByteBuf out) {
        blackhole.consume(out.readableBytes());
        out.release();
    }
}
