package dev.llmgateway.proxy;

import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.OnBothClientProtocols;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The proxy path end to end: a real client, the gateway, and a fake OpenAI-compatible provider on loopback. */
@OnBothClientProtocols
class ProxyIntegrationTest {
    @Parameter
    ClientProtocol protocol;

    private static final String CHAT = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    /** Asks for usage, so the relay has nothing of its own to take out and must be byte-exact but for the model. */
    private static final String STREAM_CHAT = "{\"model\":\"fast\",\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String UPSTREAM_MODEL = "gpt-4o-mini-2024-07-18";

    private static FakeUpstream upstream;
    private static GatewayHarness gateway;

    @BeforeParameterizedClassInvocation
    static void start(ClientProtocol protocol) throws Exception {
        upstream = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
        gateway = GatewayHarness.start(protocol, GatewayHarness.openAiConfig(upstream.baseUrl(), """
                [models."fast"]
                provider = "up"
                api_model = "%s"
                """.formatted(UPSTREAM_MODEL)));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @Test
    void nonStreamingCompletionIsRelayedWithTheModelRewrittenBothWays() throws Exception {
        upstream.script(reply -> reply.full(200, "OK", "application/json",
                Fixtures.bytes("openai/chat-completion.json"), "x-request-id", "req_upstream_1",
                "openai-processing-ms", "412"));

        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);

        assertEquals(200, response.statusCode());
        assertEquals("fast", JsonPath.read(response.body(), "model"));
        assertEquals("The capital of France is Paris.",
                JsonPath.read(response.body(), "choices", "0", "message", "content"));
        assertEquals("32", JsonPath.read(response.body(), "usage", "total_tokens"));
        assertEquals(String.valueOf(response.body().getBytes(StandardCharsets.UTF_8).length),
                response.headers().firstValue("content-length").orElseThrow());
        assertEquals("412", response.headers().firstValue("openai-processing-ms").orElseThrow());
        assertEquals("req_upstream_1", response.headers().firstValue("x-upstream-request-id").orElseThrow());
        assertTrue(response.headers().firstValue("x-request-id").orElseThrow().startsWith("req_"));

        FakeUpstream.Received sent = upstream.last();
        assertEquals("POST", sent.method());
        assertEquals("/v1/chat/completions", sent.uri());
        assertEquals(UPSTREAM_MODEL, JsonPath.read(sent.body(), "model"));
        assertEquals("hi", JsonPath.read(sent.body(), "messages", "0", "content"));
        assertEquals("Bearer sk-upstream-secret", sent.headers().get("authorization"));
        assertEquals("127.0.0.1:" + upstream.port(), sent.headers().get("host"));
        assertEquals(String.valueOf(sent.body().getBytes(StandardCharsets.UTF_8).length),
                sent.headers().get("content-length"));
        assertFalse(sent.body().contains(GatewayHarness.KEY));
        assertFalse(sent.headers().toString().contains(GatewayHarness.KEY), "the gateway key never goes upstream");
    }

    @Test
    void clientRequestIdIsKeptAndSentUpstream() throws Exception {
        HttpResponse<String> response = gateway.client().send(gateway.request("/v1/chat/completions")
                .header("authorization", "Bearer " + GatewayHarness.KEY)
                .header("content-type", "application/json")
                .header("x-request-id", "my-trace-42")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(CHAT)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        assertEquals("my-trace-42", response.headers().firstValue("x-request-id").orElseThrow());
        assertEquals("my-trace-42", upstream.last().headers().get("x-request-id"));
    }

    @Test
    void hopByHopAndCredentialHeadersAreNotForwarded() throws Exception {
        gateway.client().send(gateway.request("/v1/chat/completions")
                .header("x-api-key", GatewayHarness.KEY)
                .header("content-type", "application/json")
                .header("openai-beta", "assistants=v2")
                .header("openai-organization", "org-client")
                .header("x-custom-trace", "abc")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(CHAT)).build(),
                HttpResponse.BodyHandlers.ofString());

        FakeUpstream.Received sent = upstream.last();
        assertNull(sent.headers().get("x-api-key"));
        assertNull(sent.headers().get("openai-organization"));
        assertEquals("assistants=v2", sent.headers().get("openai-beta"));
        assertEquals("abc", sent.headers().get("x-custom-trace"));
        assertEquals("identity", sent.headers().get("accept-encoding"));
        assertEquals("Bearer sk-upstream-secret", sent.headers().get("authorization"));
    }

    @Test
    void streamEventsArriveWhileTheUpstreamIsStillSending() throws Exception {
        byte[] fixture = Fixtures.bytes("openai/chat-completion-stream.sse");
        String text = new String(fixture, StandardCharsets.UTF_8);
        int firstEventEnd = text.indexOf("\n\n") + 2;
        CompletableFuture<Void> clientSawFirstEvent = new CompletableFuture<>();
        CompletableFuture<Void> upstreamFinished = new CompletableFuture<>();
        upstream.script(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream; charset=utf-8");
            reply.body(text.substring(0, firstEventEnd));
            clientSawFirstEvent.get(10, TimeUnit.SECONDS);
            reply.body(text.substring(firstEventEnd));
            reply.end();
            upstreamFinished.complete(null);
        });

        HttpResponse<InputStream> response = gateway.postStreaming("/v1/chat/completions", STREAM_CHAT);
        assertEquals(200, response.statusCode());
        assertEquals("no-cache", response.headers().firstValue("cache-control").orElseThrow());
        assertEquals("no", response.headers().firstValue("x-accel-buffering").orElseThrow());
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        String first = reader.readLine();
        assertFalse(upstreamFinished.isDone(), "the first event came before the upstream sent the rest");
        assertTrue(first.startsWith("data: {"));
        assertEquals("fast", JsonPath.read(first.substring(6), "model"));
        clientSawFirstEvent.complete(null);

        List<String> dataLines = new ArrayList<>();
        dataLines.add(first);
        String line;
        while ((line = reader.readLine()) != null) {
            if (!line.isEmpty()) {
                dataLines.add(line);
            }
        }
        String expected = text.replace("\"model\":\"" + UPSTREAM_MODEL + "\"", "\"model\":\"fast\"");
        assertEquals(expected.lines().filter(l -> !l.isEmpty()).toList(), dataLines);
        assertEquals("data: [DONE]", dataLines.get(dataLines.size() - 1));
    }

    @Test
    void streamRelayIsByteExactApartFromTheModelWhateverTheReadBoundaries() throws Exception {
        byte[] fixture = Fixtures.bytes("openai/chat-completion-stream.sse");
        String expected = new String(fixture, StandardCharsets.UTF_8)
                .replace("\"model\":\"" + UPSTREAM_MODEL + "\"", "\"model\":\"fast\"");
        for (int piece : new int[] {1, 7, 64, 333, fixture.length}) {
            upstream.script(reply -> {
                reply.head(200, "OK", true, "content-type", "text/event-stream");
                for (int at = 0; at < fixture.length; at += piece) {
                    reply.body(java.util.Arrays.copyOfRange(fixture, at, Math.min(fixture.length, at + piece)));
                }
                reply.end();
            });
            HttpResponse<String> response = gateway.post("/v1/chat/completions", STREAM_CHAT);
            assertEquals(200, response.statusCode());
            assertEquals(expected, response.body(), "pieces of " + piece + " bytes");
        }
    }

    @Test
    void sequentialRequestsReuseOneUpstreamConnection() throws Exception {
        try (FakeUpstream own = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
             GatewayHarness local = GatewayHarness.start(protocol, GatewayHarness.openAiConfig(own.baseUrl(),
                     "[routing]\ndefault_provider = \"up\"\n"))) {
            for (int i = 0; i < 10; i++) {
                assertEquals(200, local.post("/v1/chat/completions", CHAT).statusCode());
            }
            assertEquals(10, own.received().size());
            assertEquals(1, own.connectionsAccepted(), "one keep-alive connection served every request");
        }
    }

    @Test
    void upstreamErrorStatusHeadersAndBodyPassThrough() throws Exception {
        byte[] body = Fixtures.bytes("openai/error-429-rate-limit.json");
        upstream.script(reply -> reply.full(429, "Too Many Requests", "application/json", body,
                "retry-after", "46", "retry-after-ms", "45190", "x-ratelimit-remaining-tokens", "0"));

        // Its own gateway: the 429 rests the single upstream key for the 46 s asked, which would refuse later tests.
        HttpResponse<String> response;
        int before = upstream.received().size();
        try (GatewayHarness local = GatewayHarness.start(protocol, GatewayHarness.openAiConfig(upstream.baseUrl(),
                "[routing]\ndefault_provider = \"up\"\n"))) {
            response = local.post("/v1/chat/completions", CHAT);
        }

        assertEquals(429, response.statusCode());
        assertEquals(before + 1, upstream.received().size(), "a wait over max_retry_delay is not retried");
        assertEquals("1", response.headers().firstValue("x-gateway-attempts").orElseThrow());
        assertEquals("46", response.headers().firstValue("retry-after").orElseThrow());
        assertEquals("45190", response.headers().firstValue("retry-after-ms").orElseThrow());
        assertEquals("0", response.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
        assertEquals(new String(body, StandardCharsets.UTF_8), response.body());
    }

    @Test
    void refusedUpstreamConnectionGives502InOpenAiShape() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (GatewayHarness local = GatewayHarness.start(protocol, GatewayHarness.openAiConfig(
                "http://127.0.0.1:" + closedPort + "/v1", "[routing]\ndefault_provider = \"up\"\n"))) {
            HttpResponse<String> response = local.post("/v1/chat/completions", CHAT);
            assertEquals(502, response.statusCode());
            assertEquals("upstream_unreachable", JsonPath.read(response.body(), "error", "code"));
            assertEquals("2", response.headers().firstValue("x-gateway-attempts").orElseThrow(),
                    "a refused connection is retried once (max_attempts 2)");
            assertEquals("server_error", JsonPath.read(response.body(), "error", "type"));
            assertNotNull(JsonPath.read(response.body(), "error", "message"));
            assertEquals("null", JsonPath.read(response.body(), "error", "param"));
            assertTrue(response.headers().firstValue("x-request-id").isPresent());
        }
    }

    @Test
    void upstreamClosingBeforeAnsweringGives502() throws Exception {
        upstream.script(FakeUpstream.Reply::close);
        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);
        assertEquals(502, response.statusCode());
        assertEquals("upstream_error", JsonPath.read(response.body(), "error", "code"));
    }

    @Test
    void streamCutMidwayEndsWithAnErrorEventNotDone() throws Exception {
        String text = Fixtures.text("openai/chat-completion-stream.sse");
        upstream.script(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            reply.body(text.substring(0, text.indexOf("\n\n") + 2));
            reply.close();
        });
        HttpResponse<String> response = gateway.postAlone("/v1/chat/completions", STREAM_CHAT);
        assertEquals(200, response.statusCode());
        List<String> events = response.body().lines().filter(l -> !l.isEmpty()).toList();
        assertEquals(2, events.size(), response.body());
        String error = events.get(1);
        assertTrue(error.startsWith("data: {\"error\""), error);
        assertEquals("upstream_error", JsonPath.read(error.substring(6), "error", "code"));
        assertFalse(response.body().contains("[DONE]"));
    }

    @Test
    void aStreamThatEndsWithoutDoneEndsWithAnErrorEvent() throws Exception {
        String text = Fixtures.text("openai/chat-completion-stream.sse");
        upstream.script(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            reply.body(text.substring(0, text.indexOf("data: [DONE]")));
            reply.end();
        });
        HttpResponse<String> response = gateway.postAlone("/v1/chat/completions", STREAM_CHAT);
        List<String> events = response.body().lines().filter(l -> !l.isEmpty()).toList();
        String last = events.get(events.size() - 1);
        assertTrue(last.startsWith("data: {\"error\""), last);
        assertTrue(JsonPath.read(last.substring(6), "error", "message").contains("[DONE]"));
        assertFalse(response.body().contains("[DONE]\n"));
    }

    @Test
    void aMalformedEventEndsTheStreamWithAnErrorEvent() throws Exception {
        String text = Fixtures.text("openai/chat-completion-stream.sse");
        String first = text.substring(0, text.indexOf("\n\n") + 2);
        upstream.script(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            reply.body(first + "data: {\"id\": nonsense}\n\n" + text.substring(first.length()));
            reply.end();
        });
        HttpResponse<String> response = gateway.postAlone("/v1/chat/completions", STREAM_CHAT);
        List<String> events = response.body().lines().filter(l -> !l.isEmpty()).toList();
        assertEquals(2, events.size(), response.body());
        assertEquals("upstream_error", JsonPath.read(events.get(1).substring(6), "error", "code"));
        assertFalse(response.body().contains("[DONE]"));
    }

    @Test
    void embeddingsAndCompletionsAreProxiedToTheirPathsAndResponsesTranslatedToChat() throws Exception {
        upstream.script(reply -> reply.full(200, "OK", "application/json", Fixtures.bytes("openai/embeddings.json")));
        HttpResponse<String> embeddings = gateway.post("/v1/embeddings",
                "{\"model\":\"fast\",\"input\":\"hello\"}");
        assertEquals(200, embeddings.statusCode());
        assertEquals("/v1/embeddings", upstream.last().uri());
        assertEquals("fast", JsonPath.read(embeddings.body(), "model"));

        gateway.post("/v1/completions", "{\"model\":\"fast\",\"prompt\":\"hello\"}");
        assertEquals("/v1/completions", upstream.last().uri());
        // An OpenAI-compatible server is taken to chat only: a Responses request is translated to chat completions.
        gateway.post("/v1/responses", "{\"model\":\"fast\",\"input\":\"hello\"}");
        assertEquals("/v1/chat/completions", upstream.last().uri());
        assertEquals(UPSTREAM_MODEL, JsonPath.read(upstream.last().body(), "model"));
    }
}
