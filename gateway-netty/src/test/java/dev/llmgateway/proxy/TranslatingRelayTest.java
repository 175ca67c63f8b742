package dev.llmgateway.proxy;

import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.testutil.ClientResponse;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.SseEvents;
import dev.llmgateway.testutil.UpstreamMessages;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TranslatingRelay} (docs/ARCHITECTURE.md §5) through a real {@link Translation}: the provider's stream decoded
 * into neutral answer events and encoded in the client's dialect, one chunk and one flush per upstream read; a body
 * and an error answer translated whole; a stream cut before its end reported broken, never given a made-up end.
 */
class TranslatingRelayTest {
    private static final String ANSWER = "The capital of France is Paris.";
    private static final String SSE = "text/event-stream";
    private static final String JSON = "application/json";

    private final RelayClient client = new RelayClient();

    @AfterEach
    void endTheExchange() {
        client.close();
    }

    /** A relay for a client of {@code path} asking {@code model}, translated as the call would translate it. */
    private TranslatingRelay relay(String path, String model, boolean stream) throws Untranslatable {
        String request = "{\"model\":\"" + model + "\",\"max_tokens\":100,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"What is the capital of France?\"}]}";
        Exchange exchange = client.exchange(path, request);
        ByteBuf providerRequest = Unpooled.buffer();
        try {
            Translation translation = Translation.request(exchange.endpoint().dialect(), exchange.request().content(),
                    exchange.route(), stream, false, providerRequest);
            return new TranslatingRelay(exchange, translation, client.keyMasks(), client.ended, client.broken);
        } finally {
            providerRequest.release();
        }
    }

    /** Feeds {@code stream} in two reads, split in the middle of an event. */
    private void feedInTwoReads(TranslatingRelay relay, String stream) {
        int half = stream.length() / 2;
        relay.content(UpstreamMessages.content(stream.substring(0, half)));
        relay.readComplete();
        relay.content(UpstreamMessages.last(stream.substring(half)));
    }

    @Test
    void anAnthropicStreamBecomesOpenAiChunksWrittenOnceAndFlushedOncePerRead() throws Untranslatable {
        TranslatingRelay relay = relay("/v1/chat/completions", "claude", true);
        relay.head(UpstreamMessages.head(200, SSE, "request-id", "req_ant_1"));
        feedInTwoReads(relay, Fixtures.text("anthropic/message-stream.sse"));

        assertEquals(2, client.flushes.take(), "one flush per read (the last one's with the response's end)");
        ClientResponse response = client.read();
        assertEquals(200, response.status());
        assertEquals("req_ant_1", response.header("x-upstream-request-id"));
        assertEquals(2, response.nonEmptyChunks().size(), "one chunk per read");
        List<String> data = SseEvents.data(response.body());
        assertEquals("[DONE]", data.get(data.size() - 1));
        List<String> chunks = data.subList(0, data.size() - 1);
        assertEquals(ANSWER, chunks.stream().map(chunk -> JsonPath.read(chunk, "choices", "0", "delta", "content"))
                .filter(Objects::nonNull).collect(Collectors.joining()));
        assertTrue(chunks.stream().allMatch(chunk -> "claude".equals(JsonPath.read(chunk, "model"))));
        assertEquals(21, client.exchange().usage().input());
        assertEquals(10, client.exchange().usage().output());
        assertEquals(Boolean.TRUE, client.endedReusable());
    }

    @Test
    void anOpenAiStreamBecomesAnthropicEventsForAMessagesClient() throws Untranslatable {
        TranslatingRelay relay = relay("/v1/messages", "gpt", true);
        relay.head(UpstreamMessages.head(200, SSE));
        feedInTwoReads(relay, Fixtures.text("openai/chat-completion-stream.sse"));

        List<SseEvents.Event> events = SseEvents.parse(client.read().body());
        assertEquals("message_start", events.get(0).name());
        assertEquals("message_stop", events.get(events.size() - 1).name());
        assertEquals(ANSWER, events.stream().filter(event -> "content_block_delta".equals(event.name()))
                .map(event -> JsonPath.read(event.data(), "delta", "text")).collect(Collectors.joining()));
        assertEquals(Boolean.TRUE, client.endedReusable());
    }

    @Test
    void anAnthropicMessageBecomesOneOpenAiCompletionWithItsExactLength() throws Untranslatable {
        TranslatingRelay relay = relay("/v1/chat/completions", "claude", false);
        relay.head(UpstreamMessages.head(200, JSON));
        feedInTwoReads(relay, Fixtures.text("anthropic/message.json"));

        ClientResponse response = client.read();
        assertEquals(200, response.status());
        assertEquals(List.of(response.body()), response.chunks());
        assertEquals(String.valueOf(response.body().length()), response.header("content-length"));
        assertEquals("chat.completion", JsonPath.read(response.body(), "object"));
        assertEquals("claude", JsonPath.read(response.body(), "model"));
        assertEquals(ANSWER, JsonPath.read(response.body(), "choices", "0", "message", "content"));
        assertEquals("stop", JsonPath.read(response.body(), "choices", "0", "finish_reason"));
    }

    @Test
    void anAnthropicErrorBecomesTheErrorAnOpenAiClientExpects() throws Untranslatable {
        TranslatingRelay relay = relay("/v1/chat/completions", "claude", true);
        relay.head(UpstreamMessages.head(429, JSON, "retry-after", "7"));
        feedInTwoReads(relay, Fixtures.text("anthropic/error-429-rate-limit.json"));

        ClientResponse response = client.read();
        assertEquals(429, response.status());
        assertEquals("7", response.header("retry-after"));
        assertTrue(JsonPath.read(response.body(), "error", "message").contains("rate limit"), response.body());
        assertEquals(Boolean.TRUE, client.endedReusable());
    }

    @Test
    void aProviderErrorEchoingItsKeyIsTranslatedWithTheKeyMasked() throws Untranslatable {
        TranslatingRelay relay = relay("/v1/chat/completions", "claude", false);
        relay.head(UpstreamMessages.head(400, JSON, "request-id", "req_" + RelayClient.ANTHROPIC_KEY));
        feedInTwoReads(relay, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                + "\"message\":\"invalid x-api-key " + RelayClient.ANTHROPIC_KEY + "\"}}");

        ClientResponse response = client.read();
        assertEquals(400, response.status());
        assertFalse(response.body().contains(RelayClient.ANTHROPIC_KEY), response.body());
        assertEquals("invalid x-api-key sk-ant...6789", JsonPath.read(response.body(), "error", "message"));
        assertEquals("req_sk-ant...6789", response.header("x-upstream-request-id"));
    }

    @Test
    void aTranslatedStreamHasTheSentKeyMaskedInItsEvents() throws Untranslatable {
        TranslatingRelay relay = relay("/v1/chat/completions", "claude", true);
        relay.head(UpstreamMessages.head(200, SSE));
        relay.content(UpstreamMessages.last(Fixtures.text("anthropic/message-stream.sse")
                .replace("\" is Paris\"", "\" is " + RelayClient.ANTHROPIC_KEY + "\"")));

        String body = client.read().body();
        assertFalse(body.contains(RelayClient.ANTHROPIC_KEY), body);
        assertEquals("The capital of France is sk-ant...6789.", SseEvents.data(body).stream()
                .filter(data -> !data.equals("[DONE]"))
                .map(chunk -> JsonPath.read(chunk, "choices", "0", "delta", "content"))
                .filter(Objects::nonNull).collect(Collectors.joining()));
        assertEquals(Boolean.TRUE, client.endedReusable());
    }

    @Test
    void aProviderErrorEventEchoingItsKeyReachesTheClientMasked() throws Untranslatable {
        TranslatingRelay relay = relay("/v1/chat/completions", "claude", true);
        relay.head(UpstreamMessages.head(200, SSE));
        String stream = Fixtures.text("anthropic/message-stream.sse");
        relay.content(UpstreamMessages.content(stream.substring(0, stream.indexOf("event: content_block_stop"))
                + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                + "\"message\":\"key " + RelayClient.ANTHROPIC_KEY + " is overloaded\"}}\n\n"));
        relay.readComplete();

        assertTrue(client.brokenReason().contains("key sk-ant...6789 is overloaded"), client.brokenReason());
        relay.failMidResponse(ApiError.upstreamBroken("ant", client.brokenReason()));
        String body = client.read().body();
        assertFalse(body.contains(RelayClient.ANTHROPIC_KEY), body);
        List<String> data = SseEvents.data(body);
        assertEquals("key sk-ant...6789 is overloaded", JsonPath.read(data.get(data.size() - 1), "error", "message"));
    }

    /**
     * Garbage inside a provider's stream of another API, as single bytes ({@code \u00ff} is the byte 0xFF, never
     * valid UTF-8): the decoders parse every event whole, so each is found, and the stream is broken rather than
     * ended, for either direction of translation.
     */
    static Stream<Arguments> garbageInATranslatedStream() {
        String anthropicStart = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\","
                + "\"model\":\"c\",\"usage\":{\"input_tokens\":1}}}\n\n";
        String anthropicEnd = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        String openAiEnd = "data: [DONE]\n\n";
        return Stream.of(
                Arguments.of("claude", anthropicStart + "event: content_block_delta\ndata: {\"type\":"
                        + "\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
                        + "\"text\":\"\u00ff\"}}\n\n"
                        + anthropicEnd),
                Arguments.of("claude", anthropicStart + "event: content_block_delta\ndata: {\"type\":"
                        + "\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}\n\n"
                        + anthropicEnd),
                Arguments.of("claude", anthropicStart + "event: ping\ndata: {\"type\":\"ping\",\"x\":\"\u00ff\"}\n\n"
                        + anthropicEnd),
                Arguments.of("claude", anthropicStart + "event: ping\ndata: {\"type\":\"ping\"} garbage\n\n"
                        + anthropicEnd),
                Arguments.of("gpt", "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":"
                        + "{\"content\":\"\u00ff\"}}]}\n\n" + openAiEnd),
                Arguments.of("gpt", "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]"
                        + "\n\n" + openAiEnd),
                Arguments.of("gpt", "data: {\"id\":\"c\",\"choices\":[]} {}\n\n" + openAiEnd),
                Arguments.of("gpt", "data: nonsense\n\n" + openAiEnd));
    }

    @ParameterizedTest
    @MethodSource("garbageInATranslatedStream")
    void garbageInATranslatedStreamBreaksItRatherThanEndingIt(String model, String stream) throws Untranslatable {
        String path = model.equals("claude") ? "/v1/chat/completions" : "/v1/messages";
        TranslatingRelay relay = relay(path, model, true);
        relay.head(UpstreamMessages.head(200, SSE));
        ByteBuf bytes = Unpooled.directBuffer().writeBytes(stream.getBytes(StandardCharsets.ISO_8859_1));
        relay.content(new DefaultLastHttpContent(bytes));

        assertTrue(client.brokenReason() != null && client.brokenReason().startsWith("malformed event"),
                client.brokenReason());
        assertNull(client.endedReusable());
        relay.failMidResponse(ApiError.upstreamBroken("up", client.brokenReason()));
        String body = client.read().body();
        assertFalse(body.contains("[DONE]") || body.contains("message_stop"), body);
        List<SseEvents.Event> events = SseEvents.parse(body);
        SseEvents.Event last = events.get(events.size() - 1);
        assertTrue(path.equals("/v1/messages") ? "error".equals(last.name()) : last.data().startsWith("{\"error\":"),
                body);
        assertFalse(client.downstream.isOpen());
    }

    @Test
    void aStreamCutBeforeItsEndIsBrokenNotEnded() throws Untranslatable {
        TranslatingRelay relay = relay("/v1/chat/completions", "claude", true);
        relay.head(UpstreamMessages.head(200, SSE));
        String stream = Fixtures.text("anthropic/message-stream.sse");
        relay.content(UpstreamMessages.last(stream.substring(0, stream.indexOf("event: message_stop"))));

        assertEquals("the provider's answer ended before it was complete", client.brokenReason());
        assertNull(client.endedReusable());
        relay.failMidResponse(ApiError.upstreamBroken("ant", client.brokenReason()));
        List<String> data = SseEvents.data(client.read().body());
        assertEquals("upstream_error", JsonPath.read(data.get(data.size() - 1), "error", "code"));
        assertFalse(data.contains("[DONE]"), "never a made-up end");
        assertFalse(client.downstream.isOpen());
    }
}
