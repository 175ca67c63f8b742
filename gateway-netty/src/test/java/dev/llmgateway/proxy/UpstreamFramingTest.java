package dev.llmgateway.proxy;

import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.FaultyProvider.Bytes;
import dev.llmgateway.testutil.FaultyProvider;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.OnBothClientProtocols;
import dev.llmgateway.testutil.SseEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A provider whose response framing is broken — chunking that breaks mid-body, a garbage status line, Content-Length
 * with Transfer-Encoding, two different Content-Lengths — against the real gateway: the client gets a 502 in its
 * own API's shape before the head, its dialect's error event after it (never a clean end or a truncated 200), at
 * once rather than after a timeout; the broken connection is closed, and the next request gets a good one.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@OnBothClientProtocols
class UpstreamFramingTest {
    @Parameter
    ClientProtocol protocol;

    private static final String CHAT = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String CHAT_STREAM = "{\"model\":\"fast\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String CHAT_TO_CLAUDE = CHAT.replace("fast", "claude");
    private static final String CHAT_STREAM_TO_CLAUDE = CHAT_STREAM.replace("fast", "claude");
    private static final String MESSAGES = "{\"model\":\"claude\",\"max_tokens\":64,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String MESSAGES_STREAM = MESSAGES.replace("\"max_tokens\"", "\"stream\":true,\"max_tokens\"");
    private static final String MESSAGES_TO_OPENAI = MESSAGES.replace("claude", "fast");
    /** Well above what a test waits: a client answered in half this time was not answered by a timeout. */
    private static final long TIMEOUT_MILLIS = 20_000;

    private static final byte[] OPENAI_EVENT = Bytes.utf8("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\","
            + "\"model\":\"fast\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\n");
    private static final byte[] ANTHROPIC_START = Bytes.utf8("event: message_start\ndata: {\"type\":\"message_start\","
            + "\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\","
            + "\"content\":[],\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n"
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
            + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n");
    /** A chunk-size line that is not hexadecimal, after a good chunk. */
    private static final byte[] BROKEN_CHUNK = Bytes.ascii("zz\r\nlo\r\n");

    private FaultyProvider provider;
    private GatewayHarness gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        provider.close();
    }

    private void start(FaultyProvider.Script script) throws Exception {
        start(script, "");
    }

    private void start(FaultyProvider.Script script, String extra) throws Exception {
        provider = new FaultyProvider(script);
        gateway = GatewayHarness.start(protocol, UpstreamFaults.config(provider.baseUrl(), """
                max_attempts = 1
                first_byte_timeout = "%1$dms"
                idle_timeout = "%1$dms"
                max_sse_event_bytes = "1MiB"
                """.formatted(TIMEOUT_MILLIS), extra.formatted(provider.baseUrl())));
    }

    /** A chunked head, one good chunk of {@code first}, then a chunk-size line that is not hex; the socket stays open. */
    private static FaultyProvider.Script brokenChunking(String contentType, byte[] first) {
        return FaultyProvider.always(Bytes.concat(Bytes.chunkedHead(200, contentType), Bytes.chunks(first),
                BROKEN_CHUNK));
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = path.equals("/v1/messages")
                ? gateway.client().send(gateway.request(path)
                        .header("x-api-key", GatewayHarness.KEY)
                        .header("anthropic-version", "2023-06-01")
                        .header("content-type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString())
                : gateway.postAlone(path, json);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < TIMEOUT_MILLIS / 2, "answered after " + millis + " ms: a timeout, not the fault");
        return response;
    }

    /** A 200 stream whose last event is the OpenAI error event, after no [DONE]; returns every event's data. */
    private static List<String> assertOpenAiStreamEndsInUpstreamError(HttpResponse<String> response) {
        assertEquals(200, response.statusCode());
        List<String> data = SseEvents.data(response.body());
        assertEquals("upstream_error", JsonPath.read(data.get(data.size() - 1), "error", "code"), response.body());
        assertFalse(data.contains("[DONE]"), response.body());
        return data;
    }

    private static void assertOpenAiUpstreamError(HttpResponse<String> response) {
        assertEquals(502, response.statusCode(), response.body());
        assertEquals("upstream_error", JsonPath.read(response.body(), "error", "code"), response.body());
        assertEquals("server_error", JsonPath.read(response.body(), "error", "type"));
    }

    private static void assertAnthropicUpstreamError(HttpResponse<String> response) {
        assertEquals(502, response.statusCode(), response.body());
        assertEquals("error", JsonPath.read(response.body(), "type"), response.body());
        assertEquals("api_error", JsonPath.read(response.body(), "error", "type"), response.body());
    }

    @Test
    void brokenChunkingOfABodyIsA502AndTheNextRequestGetsAGoodConnection() throws Exception {
        byte[] json = Fixtures.bytes("openai/chat-completion.json");
        start(brokenChunking("application/json", java.util.Arrays.copyOf(json, json.length / 2)));

        assertOpenAiUpstreamError(post("/v1/chat/completions", CHAT));

        provider.script(FaultyProvider.always(Bytes.withLength(200, "application/json", json)));
        HttpResponse<String> next = post("/v1/chat/completions", CHAT);
        assertEquals(200, next.statusCode(), next.body());
        assertEquals("fast", JsonPath.read(next.body(), "model"));
        assertEquals(2, provider.received().get(1).connection(), "the broken connection was not reused");
        assertEquals(1, provider.openConnections(), "the broken connection was closed");
    }

    @Test
    void brokenChunkingOfAStreamEndsItWithAnErrorEventNotDone() throws Exception {
        start(brokenChunking("text/event-stream", OPENAI_EVENT));

        List<String> data = assertOpenAiStreamEndsInUpstreamError(post("/v1/chat/completions", CHAT_STREAM));
        assertEquals("x", JsonPath.read(data.get(0), "choices", "0", "delta", "content"));
    }

    /** A Responses stream passed through to an OpenAI provider (an OpenAI-compatible one gets chat completions). */
    @Test
    void brokenChunkingOfAPassedThroughResponsesStreamEndsItWithAnErrorEvent() throws Exception {
        start(brokenChunking("text/event-stream", Bytes.utf8("event: response.output_text.delta\ndata: "
                + "{\"type\":\"response.output_text.delta\",\"sequence_number\":4,\"delta\":\"Hel\"}\n\n")),
                """

                [providers.openai]
                type = "openai"
                base_url = "%s"
                api_key = "sk-openai-test"
                max_attempts = 1

                [models."gpt"]
                provider = "openai"
                """);

        List<String> data = assertOpenAiStreamEndsInUpstreamError(post("/v1/responses",
                "{\"model\":\"gpt\",\"stream\":true,\"input\":\"hi\"}"));
        assertEquals("Hel", JsonPath.read(data.get(0), "delta"));
    }

    @Test
    void brokenChunkingOfAnAnthropicStreamEndsWithItsErrorEventNotMessageStop() throws Exception {
        start(brokenChunking("text/event-stream", ANTHROPIC_START));

        HttpResponse<String> response = post("/v1/messages", MESSAGES_STREAM);

        assertEquals(200, response.statusCode());
        List<SseEvents.Event> events = SseEvents.parse(response.body());
        assertEquals("error", events.get(events.size() - 1).name(), response.body());
        assertTrue(events.stream().noneMatch(event -> "message_stop".equals(event.name())), response.body());
    }

    @Test
    void brokenChunkingOfATranslatedStreamEndsWithTheClientsErrorEvent() throws Exception {
        start(brokenChunking("text/event-stream", ANTHROPIC_START));

        List<String> data = assertOpenAiStreamEndsInUpstreamError(post("/v1/chat/completions",
                CHAT_STREAM_TO_CLAUDE));
        assertEquals("Hel", JsonPath.read(data.get(1), "choices", "0", "delta", "content"));
    }

    @Test
    void brokenChunkingOfATranslatedBodyIsA502InTheClientsShape() throws Exception {
        byte[] json = Fixtures.bytes("anthropic/message.json");
        start(brokenChunking("application/json", java.util.Arrays.copyOf(json, json.length / 2)));
        assertOpenAiUpstreamError(post("/v1/chat/completions", CHAT_TO_CLAUDE));

        byte[] openAi = Fixtures.bytes("openai/chat-completion.json");
        provider.script(brokenChunking("application/json", java.util.Arrays.copyOf(openAi, openAi.length / 2)));
        assertAnthropicUpstreamError(post("/v1/messages", MESSAGES_TO_OPENAI));
    }

    /** A stream head, {@code first} as one chunk, then a {@code data:} line of 2 MiB that never ends. */
    private static FaultyProvider.Script endlessLine(byte[] first) {
        byte[] piece = Bytes.repeat('a', 64 * 1024);
        return (request, answer) -> {
            answer.send(Bytes.concat(Bytes.chunkedHead(200, "text/event-stream"), Bytes.chunks(first),
                    Bytes.chunks(Bytes.ascii("data: {\"x\":\""))));
            for (int i = 0; i < 32; i++) {
                answer.send(Bytes.chunks(piece));
            }
        };
    }

    private void assertUpstreamConnectionsClosed() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (provider.openConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, provider.openConnections(), "the gateway closed the provider's connection");
    }

    @Test
    void aStreamLineOverMaxSseEventBytesEndsTheStreamWithAnErrorEventAndClosesTheUpstream() throws Exception {
        start(endlessLine(OPENAI_EVENT));

        List<String> data = assertOpenAiStreamEndsInUpstreamError(post("/v1/chat/completions", CHAT_STREAM));
        assertEquals(2, data.size(), data.toString());
        assertEquals("x", JsonPath.read(data.get(0), "choices", "0", "delta", "content"));
        assertTrue(JsonPath.read(data.get(1), "error", "message").contains("max_sse_event_bytes"), data.get(1));
        assertUpstreamConnectionsClosed();
    }

    @Test
    void aTranslatedStreamLineOverTheLimitEndsWithTheClientsErrorEvent() throws Exception {
        start(endlessLine(ANTHROPIC_START));

        assertOpenAiStreamEndsInUpstreamError(post("/v1/chat/completions", CHAT_STREAM_TO_CLAUDE));
        assertUpstreamConnectionsClosed();
    }

    @Test
    void aGarbageStatusLineIsA502InEachClientsShapeAndRecordedAsOne() throws Exception {
        start(FaultyProvider.always(Bytes.ascii("HTTP/1.1 OK-ish\r\ncontent-length: 2\r\n\r\n{}")));

        assertOpenAiUpstreamError(post("/v1/chat/completions", CHAT));
        assertAnthropicUpstreamError(post("/v1/messages", MESSAGES));

        String metrics = gateway.get("/metrics", null).body();
        assertFalse(metrics.contains("status=\"999\""), metrics);
        assertTrue(metrics.contains("status=\"502\""), metrics);
    }

    @Test
    void aMalformedAnswerOnAReusedConnectionIsNotSentAgainAsIfTheConnectionWereStale() throws Exception {
        byte[] json = Fixtures.bytes("openai/chat-completion.json");
        start(FaultyProvider.always(Bytes.withLength(200, "application/json", json)));
        assertEquals(200, post("/v1/chat/completions", CHAT).statusCode());

        provider.script(FaultyProvider.always(Bytes.ascii("HTTP/1.1 OK-ish\r\ncontent-length: 2\r\n\r\n{}")));
        assertOpenAiUpstreamError(post("/v1/chat/completions", CHAT));
        assertEquals(2, provider.received().size(), "the provider answered (badly): it saw the request, once");
    }

    @Test
    void contentLengthWithTransferEncodingIsAnImmediate502AndAClose() throws Exception {
        start(FaultyProvider.always(Bytes.concat(Bytes.head("HTTP/1.1 200 OK", "content-type", "application/json",
                "content-length", "40", "transfer-encoding", "chunked"), Bytes.chunks(Bytes.utf8("{}")),
                Bytes.LAST_CHUNK)));

        assertOpenAiUpstreamError(post("/v1/chat/completions", CHAT));
        assertAnthropicUpstreamError(post("/v1/messages", MESSAGES));
        assertEquals(2, provider.connectionsAccepted(), "each broken connection was closed, not reused");
        assertUpstreamConnectionsClosed();
    }

    @Test
    void twoDifferentContentLengthsAreAnImmediate502AndAClose() throws Exception {
        start(FaultyProvider.always(Bytes.concat(Bytes.head("HTTP/1.1 200 OK", "content-type", "application/json",
                "content-length", "2", "content-length", "7"), Bytes.utf8("{}"))));

        assertOpenAiUpstreamError(post("/v1/chat/completions", CHAT));
        HttpResponse<String> stream = post("/v1/chat/completions", CHAT_STREAM);
        assertOpenAiUpstreamError(stream);
        assertNull(stream.headers().firstValue("transfer-encoding").orElse(null));
        assertNotEquals(1, provider.connectionsAccepted(), "the broken connection was not reused");
        assertUpstreamConnectionsClosed();
    }
}
