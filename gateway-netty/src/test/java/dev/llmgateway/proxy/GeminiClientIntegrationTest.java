package dev.llmgateway.proxy;

import dev.llmgateway.dialect.StreamSplits;
import dev.llmgateway.testutil.AccessLogFile;
import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.OnBothClientProtocols;
import dev.llmgateway.testutil.PrometheusText;
import dev.llmgateway.testutil.RawHttpClient;
import dev.llmgateway.testutil.SseEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gemini's API as a client API ({@code /v1beta/models/{model}:generateContent}, {@code :streamGenerateContent},
 * {@code :countTokens}, the model list) against providers of every type, through a real gateway and a fake
 * provider on loopback that answers with the fixtures' bytes, cut into reads at random places.
 */
@OnBothClientProtocols
class GeminiClientIntegrationTest {
    @Parameter
    ClientProtocol protocol;

    /** A Gemini request with history: a call of get_weather, its response, and the tool, in Google's schema. */
    private static final String TOOL_ROUND_TRIP = """
            {"systemInstruction":{"parts":[{"text":"You are a weather bot."}]},
            "contents":[{"role":"user","parts":[{"text":"Weather in Paris?"}]},
            {"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}},
             "thoughtSignature":"c2ln"}]},
            {"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"output":"18C, cloudy"}}}]},
            {"role":"model","parts":[{"text":"It is 18C."}]},
            {"role":"user","parts":[{"text":"And in Lyon?"}]}],
            "tools":[{"functionDeclarations":[{"name":"get_weather","description":"Get the weather.",
             "parameters":{"type":"OBJECT","properties":{"city":{"type":"STRING"}},"required":["city"]}}]}],
            "toolConfig":{"functionCallingConfig":{"mode":"AUTO"}},
            "generationConfig":{"maxOutputTokens":300,"temperature":0.5,"stopSequences":["END"]}}""";

    private static final String HELLO = """
            {"contents":[{"role":"user","parts":[{"text":"Tell me about Paris."}]}]}""";

    @TempDir
    Path dir;
    private Path accessLog;
    private FakeUpstream upstream;
    private GatewayHarness gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
        accessLog = dir.resolve("access.log");
        String base = "http://127.0.0.1:" + upstream.port();
        gateway = GatewayHarness.start(protocol, GatewayHarness.everyProviderType(base, """

                [access_log]
                sink = "%s"
                """.formatted(accessLog.toString().replace("\\", "/"))));
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    /** A POST with the key in {@code x-goog-api-key}, as the @google/genai SDKs send it. */
    private HttpResponse<String> post(String path, String json) throws Exception {
        return gateway.client().send(gateway.request(path)
                .header("x-goog-api-key", GatewayHarness.KEY)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String joined(List<String> chunks, String... path) {
        return chunks.stream().map(chunk -> JsonPath.read(chunk, path)).filter(v -> v != null && !v.equals("null"))
                .collect(Collectors.joining());
    }

    @Test
    void aGeminiClientStreamsAClaudeAnswerWithTextThenAFunctionCall() throws Exception {
        for (long seed = 1; seed <= 4; seed++) {
            upstream.script(TranslationIntegrationTest.stream("anthropic/message-stream-tool-use.sse", seed));
            HttpResponse<String> response = post(
                    "/v1beta/models/claude-sonnet:streamGenerateContent?alt=sse", TOOL_ROUND_TRIP);
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
            List<String> chunks = SseEvents.data(response.body());
            for (String chunk : chunks) {
                assertEquals("claude-sonnet", JsonPath.read(chunk, "modelVersion"), chunk);
                assertEquals("model", JsonPath.read(chunk, "candidates", "0", "content", "role") == null ? "model"
                        : JsonPath.read(chunk, "candidates", "0", "content", "role"));
            }
            assertEquals("I'll check the weather in Paris for you.",
                    joined(chunks, "candidates", "0", "content", "parts", "0", "text"));
            String call = chunks.stream().filter(c -> c.contains("functionCall")).findFirst().orElseThrow();
            assertEquals("get_weather", JsonPath.read(call, "candidates", "0", "content", "parts", "0",
                    "functionCall", "name"));
            assertEquals("Paris", JsonPath.read(call, "candidates", "0", "content", "parts", "0",
                    "functionCall", "args", "city"));
            assertEquals("celsius", JsonPath.read(call, "candidates", "0", "content", "parts", "0",
                    "functionCall", "args", "unit"));
            assertEquals(1, chunks.stream().filter(c -> c.contains("functionCall")).count(),
                    "a call goes out whole, once");
            String last = chunks.get(chunks.size() - 1);
            assertEquals("STOP", JsonPath.read(last, "candidates", "0", "finishReason"));
            assertEquals("472", JsonPath.read(last, "usageMetadata", "promptTokenCount"));
            assertEquals("89", JsonPath.read(last, "usageMetadata", "candidatesTokenCount"));
            assertEquals("561", JsonPath.read(last, "usageMetadata", "totalTokenCount"));

            FakeUpstream.Received sent = upstream.last();
            assertEquals("/v1/messages", sent.uri());
            assertEquals("sk-ant-upstream", sent.headers().get("x-api-key"));
            assertNull(sent.headers().get("x-goog-api-key"));
            assertEquals("true", JsonPath.read(sent.body(), "stream"));
            assertEquals("You are a weather bot.", JsonPath.read(sent.body(), "system"));
            assertEquals("300", JsonPath.read(sent.body(), "max_tokens"));
            assertEquals("END", JsonPath.read(sent.body(), "stop_sequences", "0"));
            assertEquals("object", JsonPath.read(sent.body(), "tools", "0", "input_schema", "type"),
                    "Google's schema types become JSON Schema's");
            assertEquals("string", JsonPath.read(sent.body(), "tools", "0", "input_schema", "properties", "city",
                    "type"));
            String callId = JsonPath.read(sent.body(), "messages", "1", "content", "0", "id");
            assertEquals("tool_use", JsonPath.read(sent.body(), "messages", "1", "content", "0", "type"));
            assertEquals("Paris", JsonPath.read(sent.body(), "messages", "1", "content", "0", "input", "city"));
            assertEquals("tool_result", JsonPath.read(sent.body(), "messages", "2", "content", "0", "type"));
            assertEquals(callId, JsonPath.read(sent.body(), "messages", "2", "content", "0", "tool_use_id"),
                    "the response maps back to its call by name and order");
            assertEquals("18C, cloudy", JsonPath.read(sent.body(), "messages", "2", "content", "0", "content"));
        }
    }

    @Test
    void aGeminiClientGetsAnOpenAiToolCallAsAGenerateContentBodyWithTheKeyInTheQuery() throws Exception {
        upstream.script(FakeUpstream.json("openai/chat-completion-tool-calls.json"));
        HttpResponse<String> response = gateway.client().send(gateway.request(
                        "/v1beta/models/llama:generateContent?key=" + GatewayHarness.KEY)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TOOL_ROUND_TRIP)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        String body = response.body();
        assertEquals(Integer.toString(body.getBytes(StandardCharsets.UTF_8).length),
                response.headers().firstValue("content-length").orElse(null));
        assertEquals("llama", JsonPath.read(body, "modelVersion"));
        assertEquals("chatcmpl-Bq7YkP4nVs2xJdC8rTm6wQaLe1Hf", JsonPath.read(body, "responseId"));
        assertEquals("get_weather", JsonPath.read(body, "candidates", "0", "content", "parts", "0", "functionCall",
                "name"));
        assertEquals("call_Xk3pQ9vR2mT8nW4yL6bJ1cF5", JsonPath.read(body, "candidates", "0", "content", "parts",
                "0", "functionCall", "id"));
        assertEquals("celsius", JsonPath.read(body, "candidates", "0", "content", "parts", "0", "functionCall",
                "args", "unit"));
        assertEquals("STOP", JsonPath.read(body, "candidates", "0", "finishReason"));
        assertEquals("82", JsonPath.read(body, "usageMetadata", "promptTokenCount"));
        assertEquals("19", JsonPath.read(body, "usageMetadata", "candidatesTokenCount"));
        assertEquals("101", JsonPath.read(body, "usageMetadata", "totalTokenCount"));

        FakeUpstream.Received sent = upstream.last();
        assertEquals("/v1/chat/completions", sent.uri());
        assertEquals("Bearer sk-local", sent.headers().get("authorization"));
        assertEquals("llama3.1", JsonPath.read(sent.body(), "model"));
        assertEquals("system", JsonPath.read(sent.body(), "messages", "0", "role"));
        String callId = JsonPath.read(sent.body(), "messages", "2", "tool_calls", "0", "id");
        assertEquals("tool", JsonPath.read(sent.body(), "messages", "3", "role"));
        assertEquals(callId, JsonPath.read(sent.body(), "messages", "3", "tool_call_id"));
        assertEquals("object", JsonPath.read(sent.body(), "tools", "0", "function", "parameters", "type"));
        assertEquals("auto", JsonPath.read(sent.body(), "tool_choice"));

        List<String> lines = awaitLines(1);
        String line = lines.get(lines.size() - 1);
        assertTrue(line.contains(":generateContent"), line);
        assertFalse(line.contains(GatewayHarness.KEY), "the key in ?key= never reaches the access log: " + line);
    }

    @Test
    void aGeminiClientGetsAClaudeToolUseBodyAsOneGenerateContentResponse() throws Exception {
        upstream.script(FakeUpstream.json("anthropic/message-tool-use.json"));
        HttpResponse<String> response = post("/v1beta/models/claude-sonnet:generateContent", TOOL_ROUND_TRIP);
        assertEquals(200, response.statusCode(), response.body());
        String body = response.body();
        assertEquals("I'll check the weather in Paris for you.",
                JsonPath.read(body, "candidates", "0", "content", "parts", "0", "text"));
        assertEquals("toolu_01A09q90qw90lq917835lq9f",
                JsonPath.read(body, "candidates", "0", "content", "parts", "1", "functionCall", "id"));
        assertEquals("Paris", JsonPath.read(body, "candidates", "0", "content", "parts", "1", "functionCall", "args",
                "city"));
        assertEquals("STOP", JsonPath.read(body, "candidates", "0", "finishReason"));
        assertEquals("412", JsonPath.read(body, "usageMetadata", "promptTokenCount"));
        assertEquals("74", JsonPath.read(body, "usageMetadata", "candidatesTokenCount"));
        assertEquals("claude-sonnet", JsonPath.read(body, "modelVersion"));
        assertNull(JsonPath.read(upstream.last().body(), "stream"));
    }

    @Test
    void aGeminiProviderGetsTheClientsBytesAndTheClientItsAlias() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            upstream.script(TranslationIntegrationTest.stream("gemini/stream-generate-content-function-call.sse", seed));
            String request = Fixtures.text("gemini/request-function-response.json");
            HttpResponse<String> response = post(
                    "/v1beta/models/gemini-flash:streamGenerateContent?alt=sse&key=ignored", request);
            assertEquals(200, response.statusCode(), response.body());
            List<String> chunks = SseEvents.data(response.body());
            assertEquals(1, chunks.size());
            assertEquals("gemini-flash", JsonPath.read(chunks.get(0), "modelVersion"), "the alias, as for chat");
            assertTrue(chunks.get(0).contains("\"thoughtSignature\": \"CiQBVKhc7synthetic0signature"),
                    "the rest is the provider's bytes");
            FakeUpstream.Received sent = upstream.last();
            assertEquals("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", sent.uri());
            assertEquals("gm-upstream", sent.headers().get("x-goog-api-key"));
            assertEquals(request, sent.body(), "the body passes through unchanged");
        }
        String metrics = gateway.get("/metrics", null).body();
        assertEquals(3 * 78.0, PrometheusText.value(metrics, "llm_tokens_total",
                "model", "gemini-flash", "type", "output"), "candidates and thoughts, read on the way");
        assertEquals(3 * 61.0, PrometheusText.value(metrics, "llm_tokens_total",
                "model", "gemini-flash", "type", "input"));
    }

    @Test
    void aGeminiProviderBodyPassesThroughWithItsModelVersionRewritten() throws Exception {
        upstream.script(FakeUpstream.json("gemini/generate-content.json"));
        HttpResponse<String> response = post("/v1beta/models/gemini-flash:generateContent", HELLO);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("gemini-flash", JsonPath.read(response.body(), "modelVersion"));
        assertEquals("/v1beta/models/gemini-2.5-flash:generateContent", upstream.last().uri());
    }

    @Test
    void theMockAnswersAGeminiClientStreamedAndWhole() throws Exception {
        HttpResponse<String> streamed = post("/v1beta/models/demo:streamGenerateContent?alt=sse", HELLO);
        assertEquals(200, streamed.statusCode(), streamed.body());
        List<String> chunks = SseEvents.data(streamed.body());
        assertFalse(joined(chunks, "candidates", "0", "content", "parts", "0", "text").isEmpty());
        assertEquals("STOP", JsonPath.read(chunks.get(chunks.size() - 1), "candidates", "0", "finishReason"));
        HttpResponse<String> whole = post("/v1/models/demo:generateContent", HELLO);
        assertEquals(200, whole.statusCode(), whole.body());
        assertEquals("demo", JsonPath.read(whole.body(), "modelVersion"));
        assertFalse(JsonPath.read(whole.body(), "candidates", "0", "content", "parts", "0", "text").isEmpty());
    }

    @Test
    void errorsComeInGooglesShape() throws Exception {
        HttpResponse<String> noKey = gateway.client().send(gateway.request(
                        "/v1beta/models/demo:generateContent").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(HELLO)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, noKey.statusCode());
        assertEquals("401", JsonPath.read(noKey.body(), "error", "code"));
        assertEquals("UNAUTHENTICATED", JsonPath.read(noKey.body(), "error", "status"));

        HttpResponse<String> unknown = post("/v1beta/models/nope:generateContent", HELLO);
        assertEquals(404, unknown.statusCode());
        assertEquals("NOT_FOUND", JsonPath.read(unknown.body(), "error", "status"));

        HttpResponse<String> arrayStream = post("/v1beta/models/demo:streamGenerateContent", HELLO);
        assertEquals(400, arrayStream.statusCode());
        assertEquals("INVALID_ARGUMENT", JsonPath.read(arrayStream.body(), "error", "status"));
        assertTrue(JsonPath.read(arrayStream.body(), "error", "message").contains("alt=sse"));

        HttpResponse<String> searchTool = post("/v1beta/models/llama:generateContent", """
                {"contents":[{"parts":[{"text":"hi"}]}],"tools":[{"googleSearch":{}}]}""");
        assertEquals(400, searchTool.statusCode());
        assertEquals("INVALID_ARGUMENT", JsonPath.read(searchTool.body(), "error", "status"));
        assertTrue(JsonPath.read(searchTool.body(), "error", "message").contains("googleSearch"));

        upstream.script(reply -> reply.full(429, "Too Many Requests", "application/json",
                Fixtures.bytes("anthropic/error-429-rate-limit.json"), "retry-after", "7"));
        HttpResponse<String> limited = post("/v1beta/models/claude-sonnet:generateContent", HELLO);
        assertEquals(429, limited.statusCode(), limited.body());
        assertEquals("RESOURCE_EXHAUSTED", JsonPath.read(limited.body(), "error", "status"));
        assertEquals("429", JsonPath.read(limited.body(), "error", "code"));
    }

    @Test
    void aProviderErrorMidStreamIsGeminisErrorEventThenTheEnd() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            upstream.script(TranslationIntegrationTest.stream("anthropic/message-stream-error-overloaded.sse", seed));
            // A connection of its own: the gateway closes it after the error event.
            HttpResponse<String> response = gateway.newClient()
                    .send(gateway.request("/v1beta/models/claude-sonnet:streamGenerateContent?alt=sse")
                    .header("x-goog-api-key", GatewayHarness.KEY).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(HELLO)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            List<String> chunks = SseEvents.data(response.body());
            assertEquals("Hello", JsonPath.read(chunks.get(0), "candidates", "0", "content", "parts", "0", "text"));
            String last = chunks.get(chunks.size() - 1);
            assertEquals("UNAVAILABLE", JsonPath.read(last, "error", "status"), last);
            assertEquals("503", JsonPath.read(last, "error", "code"));
            assertTrue(chunks.stream().noneMatch(c -> c.contains("finishReason")), "never a made-up end");
        }
    }

    @Test
    void countTokensPassesToGeminiAndIsRefusedElsewhere() throws Exception {
        upstream.script(reply -> reply.full(200, "OK", "application/json",
                "{\"totalTokens\": 12}".getBytes(StandardCharsets.UTF_8)));
        HttpResponse<String> counted = post("/v1beta/models/gemini-flash:countTokens", HELLO);
        assertEquals(200, counted.statusCode(), counted.body());
        assertEquals("12", JsonPath.read(counted.body(), "totalTokens"));
        assertEquals("/v1beta/models/gemini-2.5-flash:countTokens", upstream.last().uri());

        HttpResponse<String> refused = post("/v1beta/models/llama:countTokens", HELLO);
        assertEquals(400, refused.statusCode());
        assertEquals("INVALID_ARGUMENT", JsonPath.read(refused.body(), "error", "status"));
    }

    @Test
    void theModelListIsGooglesForAGeminiClient() throws Exception {
        HttpResponse<String> list = gateway.client().send(gateway.request("/v1beta/models")
                .header("x-goog-api-key", GatewayHarness.KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, list.statusCode(), list.body());
        List<String> names = JsonPath.column(list.body(), "name", "models");
        assertTrue(names.contains("models/gemini-flash"), names.toString());
        assertTrue(names.contains("models/claude-sonnet"), names.toString());
        assertTrue(list.body().contains("generateContent"));

        HttpResponse<String> one = gateway.client().send(gateway.request("/v1beta/models/gemini-flash?key="
                + GatewayHarness.KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, one.statusCode(), one.body());
        assertEquals("models/gemini-flash", JsonPath.read(one.body(), "name"));
        assertEquals("countTokens", JsonPath.read(one.body(), "supportedGenerationMethods", "2"));

        HttpResponse<String> missing = gateway.client().send(gateway.request("/v1beta/models/nope")
                .header("x-goog-api-key", GatewayHarness.KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode());
        assertEquals("NOT_FOUND", JsonPath.read(missing.body(), "error", "status"));
    }

    @Test
    void aWrongQueryKeyIsRefusedWhenItsHeadArrivesAndOnlyGeminisPathsTakeOne() throws Exception {
        try (RawHttpClient client = gateway.rawHttp1()) {
            // Only the head: the body is never sent, and the 401 comes all the same.
            RawHttpClient.Response response = client.send("POST /v1beta/models/demo:generateContent?key=not-a-key"
                    + " HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n")
                    .read();
            assertEquals(401, response.status(), response.body());
            assertEquals("UNAUTHENTICATED", JsonPath.read(response.body(), "error", "status"));
        }
        HttpResponse<String> chat = gateway.client().send(gateway.request("/v1/chat/completions?key="
                        + GatewayHarness.KEY).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"demo\",\"messages\":[]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, chat.statusCode(), "a key in the URL is Gemini's way only");
    }

    @Test
    void anOpenAiStreamsCallFragmentsBecomeOneWholeGeminiCall() throws Exception {
        for (long seed = 1; seed <= 4; seed++) {
            upstream.script(TranslationIntegrationTest.stream("openai/chat-completion-stream-tool-calls.sse", seed));
            HttpResponse<String> response = post("/v1beta/models/llama:streamGenerateContent?alt=sse",
                    TOOL_ROUND_TRIP);
            assertEquals(200, response.statusCode(), response.body());
            List<String> calls = SseEvents.data(response.body()).stream().filter(c -> c.contains("functionCall"))
                    .toList();
            assertEquals(2, calls.size(), "two parallel calls, each whole in one chunk: " + response.body());
            assertEquals("Paris", JsonPath.read(calls.get(0), "candidates", "0", "content", "parts", "0",
                    "functionCall", "args", "city"));
            assertEquals("celsius", JsonPath.read(calls.get(0), "candidates", "0", "content", "parts", "0",
                    "functionCall", "args", "unit"));
            assertEquals("call_Hq7mW2sK9pL4vN8rT1cY6dB3", JsonPath.read(calls.get(1), "candidates", "0", "content",
                    "parts", "0", "functionCall", "id"));
            String last = SseEvents.data(response.body()).get(SseEvents.data(response.body()).size() - 1);
            assertEquals("STOP", JsonPath.read(last, "candidates", "0", "finishReason"), last);
            assertEquals("true", JsonPath.read(upstream.last().body(), "stream"));
        }
    }

    @Test
    void aGeminiProvidersErrorPassesThroughAsItCame() throws Exception {
        byte[] error = Fixtures.bytes("gemini/error-400-invalid-argument.json");
        upstream.script(reply -> reply.full(400, "Bad Request", "application/json", error));
        HttpResponse<String> response = post("/v1beta/models/gemini-flash:generateContent", HELLO);
        assertEquals(400, response.statusCode());
        assertEquals(new String(error, StandardCharsets.UTF_8), response.body());
    }

    /** A stream cut mid-way, passed through or translated: Gemini's error event, never a made-up end. */
    @Test
    void aCutStreamEndsWithGeminisErrorEvent() throws Exception {
        String[][] cases = {{"gemini-flash", "gemini/stream-generate-content.sse"},
            {"claude-sonnet", "anthropic/message-stream.sse"}};
        for (String[] c : cases) {
            byte[] bytes = Fixtures.bytes(c[1]);
            int cut = new String(bytes, StandardCharsets.UTF_8).indexOf("\n\n") + 2; // after the first event
            upstream.script(reply -> {
                reply.head(200, "OK", true, "content-type", "text/event-stream");
                reply.body(java.util.Arrays.copyOf(bytes, cut));
                reply.close();
            });
            HttpResponse<String> response = gateway.newClient()
                    .send(gateway.request("/v1beta/models/" + c[0] + ":streamGenerateContent?alt=sse")
                            .header("x-goog-api-key", GatewayHarness.KEY).header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(HELLO)).build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), c[0]);
            List<String> chunks = SseEvents.data(response.body());
            String last = chunks.get(chunks.size() - 1);
            assertEquals("502", JsonPath.read(last, "error", "code"), c[0] + ": " + response.body());
            assertEquals("UNAVAILABLE", JsonPath.read(last, "error", "status"));
            assertTrue(chunks.stream().noneMatch(x -> x.contains("finishReason")), c[0] + ": " + response.body());
        }
    }

    /** Gemini CLI's second turn (its write_file call with the CLI's own id, and the response), as it sent it. */
    @Test
    void geminiClisToolTurnReachesClaudeAndAnOpenAiCompatibleServer() throws Exception {
        String request = Fixtures.text("../captured/gemini-cli-0.61.0-write-file-2.json");
        upstream.script(TranslationIntegrationTest.stream("anthropic/message-stream.sse", 1));
        HttpResponse<String> claude = post("/v1beta/models/claude-sonnet:streamGenerateContent?alt=sse", request);
        assertEquals(200, claude.statusCode(), claude.body());
        List<String> chunks = SseEvents.data(claude.body());
        assertEquals("STOP", JsonPath.read(chunks.get(chunks.size() - 1), "candidates", "0", "finishReason"));
        String sent = upstream.last().body();
        assertTrue(sent.contains("\"tool_use_id\":\"write_file_1796662168271_0\""), "the CLI's own call id");
        assertEquals(16, JsonPath.column(sent, "name", "tools").size());

        upstream.script(TranslationIntegrationTest.stream("openai/chat-completion-stream.sse", 2));
        HttpResponse<String> llama = post("/v1beta/models/llama:streamGenerateContent?alt=sse", request);
        assertEquals(200, llama.statusCode(), llama.body());
        assertTrue(upstream.last().body().contains("\"tool_call_id\":\"write_file_1796662168271_0\""));
    }

    private List<String> awaitLines(int count) throws Exception {
        return AccessLogFile.awaitLines(accessLog, count);
    }
}
