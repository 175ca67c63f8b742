package dev.llmgateway.proxy;

import dev.llmgateway.dialect.StreamSplits;
import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.OnBothClientProtocols;
import dev.llmgateway.testutil.PrometheusText;
import dev.llmgateway.testutil.SseEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients of one API against providers of another, through a real gateway and a fake provider on loopback that
 * answers with the fixtures' bytes, cut into reads at random places.
 */
@OnBothClientProtocols
class TranslationIntegrationTest {
    @Parameter
    ClientProtocol protocol;

    private static final String TOOLS = """
            "tools":[{"type":"function","function":{"name":"get_weather","description":"Get the weather.",
            "parameters":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string"}},
            "required":["city"]}}}]""";

    private FakeUpstream upstream;
    private GatewayHarness gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
        String base = "http://127.0.0.1:" + upstream.port();
        gateway = GatewayHarness.start(protocol, GatewayHarness.everyProviderType(base, ""));
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    /** Streams a fixture's bytes in reads cut at random places. */
    static FakeUpstream.Script stream(String fixture, long seed) {
        byte[] bytes = Fixtures.bytes(fixture);
        return reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream; charset=utf-8", "request-id", "req_up_1");
            int from = 0;
            for (int cut : StreamSplits.randomCuts(bytes.length, seed)) {
                byte[] read = new byte[cut - from];
                System.arraycopy(bytes, from, read, 0, read.length);
                reply.body(read);
                from = cut;
            }
            reply.end();
        };
    }

    private static String joined(List<String> chunks, String... path) {
        return chunks.stream().map(chunk -> JsonPath.read(chunk, path)).filter(v -> v != null && !v.equals("null"))
                .collect(Collectors.joining());
    }

    @Test
    void anOpenAiClientStreamsAClaudeAnswerWithTextThenAToolCall() throws Exception {
        for (long seed = 1; seed <= 5; seed++) {
            upstream.script(stream("anthropic/message-stream-tool-use.sse", seed));
            HttpResponse<String> response = gateway.post("/v1/chat/completions", """
                    {"model":"claude-sonnet","stream":true,"stream_options":{"include_usage":true},
                    "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Weather in Paris?"}],
                    %s}""".formatted(TOOLS));
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
            assertEquals("req_up_1", response.headers().firstValue("x-upstream-request-id").orElse(null));
            List<String> data = SseEvents.data(response.body());
            assertEquals("[DONE]", data.get(data.size() - 1));
            List<String> chunks = data.subList(0, data.size() - 1);
            for (String chunk : chunks) {
                assertEquals("claude-sonnet", JsonPath.read(chunk, "model"), chunk);
                assertEquals("chat.completion.chunk", JsonPath.read(chunk, "object"), chunk);
            }
            assertEquals("assistant", JsonPath.read(chunks.get(0), "choices", "0", "delta", "role"));
            assertEquals("I'll check the weather in Paris for you.",
                    joined(chunks, "choices", "0", "delta", "content"));
            assertEquals("toolu_01T1x1fJ34qAmk2tNTrN7Up6",
                    joined(chunks, "choices", "0", "delta", "tool_calls", "0", "id"));
            assertEquals("get_weather", joined(chunks, "choices", "0", "delta", "tool_calls", "0", "function", "name"));
            assertEquals("{\"city\": \"Paris\", \"unit\": \"celsius\"}",
                    joined(chunks, "choices", "0", "delta", "tool_calls", "0", "function", "arguments"));
            assertEquals("tool_calls", joined(chunks, "choices", "0", "finish_reason"));
            String usage = chunks.get(chunks.size() - 1);
            assertEquals("[array]", JsonPath.read(usage, "choices"));
            assertNull(JsonPath.read(usage, "choices", "0"));
            assertEquals("472", JsonPath.read(usage, "usage", "prompt_tokens"));
            assertEquals("89", JsonPath.read(usage, "usage", "completion_tokens"));

            FakeUpstream.Received sent = upstream.last();
            assertEquals("/v1/messages", sent.uri());
            assertEquals("sk-ant-upstream", sent.headers().get("x-api-key"));
            assertEquals("2023-06-01", sent.headers().get("anthropic-version"));
            assertNull(sent.headers().get("authorization"));
            assertEquals("claude-sonnet-4-5-20250929", JsonPath.read(sent.body(), "model"));
            assertEquals("4096", JsonPath.read(sent.body(), "max_tokens"));
            assertEquals("Be brief.", JsonPath.read(sent.body(), "system"));
            assertEquals("user", JsonPath.read(sent.body(), "messages", "0", "role"));
            assertEquals("get_weather", JsonPath.read(sent.body(), "tools", "0", "name"));
            assertEquals("object", JsonPath.read(sent.body(), "tools", "0", "input_schema", "type"));
            assertEquals("true", JsonPath.read(sent.body(), "stream"));
        }
    }

    @Test
    void anOpenAiClientGetsAClaudeToolUseBodyAsAChatCompletion() throws Exception {
        upstream.script(FakeUpstream.json("anthropic/message-tool-use.json"));
        HttpResponse<String> response = gateway.post("/v1/chat/completions", """
                {"model":"claude-sonnet","max_tokens":300,"temperature":1.5,
                "messages":[{"role":"user","content":"Weather in Paris?"}],%s}""".formatted(TOOLS));
        assertEquals(200, response.statusCode(), response.body());
        String body = response.body();
        assertEquals("chat.completion", JsonPath.read(body, "object"));
        assertEquals("claude-sonnet", JsonPath.read(body, "model"));
        assertEquals("I'll check the weather in Paris for you.", JsonPath.read(body, "choices", "0", "message", "content"));
        assertEquals("toolu_01A09q90qw90lq917835lq9f",
                JsonPath.read(body, "choices", "0", "message", "tool_calls", "0", "id"));
        String arguments = JsonPath.read(body, "choices", "0", "message", "tool_calls", "0", "function", "arguments");
        assertEquals("Paris", JsonPath.read(arguments, "city"));
        assertEquals("celsius", JsonPath.read(arguments, "unit"));
        assertEquals("tool_calls", JsonPath.read(body, "choices", "0", "finish_reason"));
        assertEquals("412", JsonPath.read(body, "usage", "prompt_tokens"));
        assertEquals("74", JsonPath.read(body, "usage", "completion_tokens"));
        assertEquals(Integer.toString(body.getBytes(StandardCharsets.UTF_8).length),
                response.headers().firstValue("content-length").orElse(null));
        assertEquals("300", JsonPath.read(upstream.last().body(), "max_tokens"));
        assertEquals("1.0", JsonPath.read(upstream.last().body(), "temperature"), "clamped to Anthropic's range");
    }

    @Test
    void imagesReachEachProviderInItsOwnForm() throws Exception {
        String png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
        String request = """
                {"model":"%s","max_tokens":50,"messages":[{"role":"user","content":[{"type":"text","text":"What is it?"},
                {"type":"image_url","image_url":{"url":"data:image/png;base64,%s","detail":"high"}},
                {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}]}""";
        upstream.script(FakeUpstream.json("anthropic/message.json"));
        assertEquals(200, gateway.post("/v1/chat/completions", request.formatted("claude-sonnet", png)).statusCode());
        String claude = upstream.last().body();
        assertEquals("base64", JsonPath.read(claude, "messages", "0", "content", "1", "source", "type"));
        assertEquals("image/png", JsonPath.read(claude, "messages", "0", "content", "1", "source", "media_type"));
        assertEquals(png, JsonPath.read(claude, "messages", "0", "content", "1", "source", "data"));
        assertEquals("https://example.com/cat.jpg", JsonPath.read(claude, "messages", "0", "content", "2", "source", "url"));

        upstream.script(FakeUpstream.json("gemini/generate-content.json"));
        assertEquals(200, gateway.post("/v1/chat/completions", request.formatted("gemini-flash", png)).statusCode());
        String gemini = upstream.last().body();
        assertEquals("image/png", JsonPath.read(gemini, "contents", "0", "parts", "1", "inlineData", "mimeType"));
        assertEquals(png, JsonPath.read(gemini, "contents", "0", "parts", "1", "inlineData", "data"));
        assertEquals("https://example.com/cat.jpg",
                JsonPath.read(gemini, "contents", "0", "parts", "2", "fileData", "fileUri"));

        upstream.script(FakeUpstream.json("openai/chat-completion.json"));
        HttpResponse<String> fromAnthropic = anthropicPost("/v1/messages", """
                {"model":"llama","max_tokens":50,"messages":[{"role":"user","content":[{"type":"image","source":
                {"type":"base64","media_type":"image/png","data":"%s"}},{"type":"text","text":"What is it?"}]}]}"""
                .formatted(png));
        assertEquals(200, fromAnthropic.statusCode(), fromAnthropic.body());
        assertEquals("data:image/png;base64," + png, JsonPath.read(upstream.last().body(),
                "messages", "0", "content", "0", "image_url", "url"));
    }

    @Test
    void anOpenAiClientStreamsGeminiAndItsCumulativeUsageIsCountedOnce() throws Exception {
        upstream.script(stream("gemini/stream-generate-content.sse", 9));
        HttpResponse<String> response = gateway.post("/v1/chat/completions", """
                {"model":"gemini-flash","stream":true,"stream_options":{"include_usage":true},
                "messages":[{"role":"user","content":"Tell me about Paris."}]}""");
        assertEquals(200, response.statusCode(), response.body());
        List<String> data = SseEvents.data(response.body());
        assertEquals("[DONE]", data.get(data.size() - 1));
        List<String> chunks = data.subList(0, data.size() - 1);
        assertEquals("The capital of France is Paris. It is known for the Eiffel Tower, the Louvre, and its cafés.",
                joined(chunks, "choices", "0", "delta", "content"));
        assertEquals("stop", joined(chunks, "choices", "0", "finish_reason"));
        String usage = chunks.get(chunks.size() - 1);
        assertEquals("14", JsonPath.read(usage, "usage", "prompt_tokens"));
        assertEquals("53", JsonPath.read(usage, "usage", "completion_tokens"), "22 answer + 31 thinking, once");

        FakeUpstream.Received sent = upstream.last();
        assertEquals("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", sent.uri());
        assertEquals("gm-upstream", sent.headers().get("x-goog-api-key"));
        assertNull(sent.headers().get("authorization"));
        assertEquals("user", JsonPath.read(sent.body(), "contents", "0", "role"));
        assertEquals("Tell me about Paris.", JsonPath.read(sent.body(), "contents", "0", "parts", "0", "text"));
        assertNull(JsonPath.read(sent.body(), "model"));

        String metrics = gateway.get("/metrics", null).body();
        assertEquals(53.0, PrometheusText.value(metrics, "llm_tokens_total",
                "model", "gemini-flash", "type", "output"));
        assertEquals(14.0, PrometheusText.value(metrics, "llm_tokens_total",
                "model", "gemini-flash", "type", "input"));
    }

    @Test
    void aGeminiFunctionCallKeepsItsThoughtSignatureForTheNextTurn() throws Exception {
        upstream.script(stream("gemini/stream-generate-content-function-call.sse", 4));
        HttpResponse<String> response = gateway.post("/v1/chat/completions", """
                {"model":"gemini-flash","stream":true,"messages":[{"role":"user","content":"Weather in Paris?"}],
                %s}""".formatted(TOOLS));
        List<String> data = SseEvents.data(response.body());
        List<String> chunks = data.subList(0, data.size() - 1);
        String id = joined(chunks, "choices", "0", "delta", "tool_calls", "0", "id");
        assertTrue(id.startsWith("call_"), id);
        assertEquals("tool_calls", joined(chunks, "choices", "0", "finish_reason"));
        String arguments = joined(chunks, "choices", "0", "delta", "tool_calls", "0", "function", "arguments");
        assertEquals("Paris", JsonPath.read(arguments, "city"));
        for (String chunk : chunks) {
            assertNull(JsonPath.read(chunk, "usage"), "no usage chunk, nor usage members, unless asked for");
        }

        upstream.script(FakeUpstream.json("gemini/generate-content.json"));
        HttpResponse<String> next = gateway.post("/v1/chat/completions", """
                {"model":"gemini-flash","messages":[{"role":"user","content":"Weather in Paris?"},
                {"role":"assistant","content":null,"tool_calls":[{"id":"%s","type":"function",
                "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},
                {"role":"tool","tool_call_id":"%s","content":"18 degrees"}],%s}""".formatted(id, id, TOOLS));
        assertEquals(200, next.statusCode(), next.body());
        String sent = upstream.last().body();
        assertEquals("/v1beta/models/gemini-2.5-flash:generateContent", upstream.last().uri());
        assertEquals("get_weather", JsonPath.read(sent, "contents", "1", "parts", "0", "functionCall", "name"));
        assertEquals("CiQBVKhc7synthetic0signature0opaque0base64AAECAwQFBgcICQoLDA0ODxA=",
                JsonPath.read(sent, "contents", "1", "parts", "0", "thoughtSignature"));
        assertEquals("get_weather", JsonPath.read(sent, "contents", "2", "parts", "0", "functionResponse", "name"));
    }

    @Test
    void anAnthropicClientStreamsParallelToolCallsFromAnOpenAiCompatibleProvider() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            upstream.script(stream("openai/chat-completion-stream-tool-calls.sse", seed));
            HttpResponse<String> response = anthropicPost("/v1/messages", """
                    {"model":"llama","max_tokens":500,"stream":true,"system":[{"type":"text","text":"Be brief.",
                    "cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"Paris and Tokyo?"}],
                    "tools":[{"name":"get_weather","description":"Get the weather.","input_schema":{"type":"object",
                    "properties":{"city":{"type":"string"}}}}]}""");
            assertEquals(200, response.statusCode(), response.body());
            List<SseEvents.Event> events = SseEvents.parse(response.body());
            List<String> names = events.stream().map(SseEvents.Event::name).toList();
            assertEquals("message_start", names.get(0));
            assertEquals("message_stop", names.get(names.size() - 1));
            assertEquals("message_delta", names.get(names.size() - 2));
            assertEquals("llama", JsonPath.read(events.get(0).data(), "message", "model"));
            List<String> toolStarts = events.stream().filter(e -> e.name().equals("content_block_start"))
                    .map(SseEvents.Event::data).filter(d -> "tool_use".equals(JsonPath.read(d, "content_block", "type")))
                    .toList();
            assertEquals(2, toolStarts.size());
            assertEquals("get_weather", JsonPath.read(toolStarts.get(0), "content_block", "name"));
            String firstIndex = JsonPath.read(toolStarts.get(0), "index");
            String secondIndex = JsonPath.read(toolStarts.get(1), "index");
            String first = partialJson(events, firstIndex);
            String second = partialJson(events, secondIndex);
            assertEquals("Paris", JsonPath.read(first, "city"), first);
            assertEquals("Tokyo", JsonPath.read(second, "city"), second);
            String delta = events.get(events.size() - 2).data();
            assertEquals("tool_use", JsonPath.read(delta, "delta", "stop_reason"));

            FakeUpstream.Received sent = upstream.last();
            assertEquals("/v1/chat/completions", sent.uri());
            assertEquals("Bearer sk-local", sent.headers().get("authorization"));
            assertNull(sent.headers().get("x-api-key"));
            assertNull(sent.headers().get("anthropic-version"));
            assertEquals("llama3.1", JsonPath.read(sent.body(), "model"));
            assertEquals("system", JsonPath.read(sent.body(), "messages", "0", "role"));
            assertEquals("true", JsonPath.read(sent.body(), "stream_options", "include_usage"));
            assertEquals("get_weather", JsonPath.read(sent.body(), "tools", "0", "function", "name"));
        }
    }

    /**
     * Claude Code 2.1 sends its environment as a mid-conversation {@code system} message after the user turn: the
     * OpenAI-compatible provider gets it as a system message in its place, Gemini in its systemInstruction.
     */
    @Test
    void anAnthropicClientsMidConversationSystemMessageReachesOtherProviders() throws Exception {
        String request = """
                {"model":"%s","max_tokens":100,"system":[{"type":"text","text":"You are a Claude agent."}],
                "messages":[{"role":"user","content":[{"type":"text","text":"Say hello"}]},
                {"role":"system","content":[{"type":"text","text":"# Environment\\n - Platform: linux"}]}]}""";
        HttpResponse<String> openAi = anthropicPost("/v1/messages", request.formatted("llama"));
        assertEquals(200, openAi.statusCode(), openAi.body());
        assertEquals("The capital of France is Paris.", JsonPath.read(openAi.body(), "content", "0", "text"));
        String sent = upstream.last().body();
        assertEquals(List.of("system", "user", "system"), JsonPath.column(sent, "role", "messages"), sent);
        assertEquals("# Environment\n - Platform: linux", JsonPath.read(sent, "messages", "2", "content"));

        upstream.script(FakeUpstream.json("gemini/generate-content.json"));
        HttpResponse<String> gemini = anthropicPost("/v1/messages", request.formatted("gemini-flash"));
        assertEquals(200, gemini.statusCode(), gemini.body());
        assertEquals("You are a Claude agent.\n\n# Environment\n - Platform: linux",
                JsonPath.read(upstream.last().body(), "systemInstruction", "parts", "0", "text"));

        HttpResponse<String> mock = anthropicPost("/v1/messages", request.formatted("demo"));
        assertEquals(200, mock.statusCode(), mock.body());
    }

    private static String partialJson(List<SseEvents.Event> events, String index) {
        return events.stream().filter(e -> e.name().equals("content_block_delta"))
                .map(SseEvents.Event::data)
                .filter(d -> index.equals(JsonPath.read(d, "index"))
                        && "input_json_delta".equals(JsonPath.read(d, "delta", "type")))
                .map(d -> JsonPath.read(d, "delta", "partial_json")).collect(Collectors.joining());
    }

    @Test
    void anAnthropicClientStreamsAGeminiFunctionCall() throws Exception {
        upstream.script(stream("gemini/stream-generate-content-function-call.sse", 2));
        HttpResponse<String> response = anthropicPost("/v1/messages", """
                {"model":"gemini-flash","max_tokens":500,"stream":true,
                "messages":[{"role":"user","content":"Weather in Paris?"}],
                "tools":[{"name":"get_weather","input_schema":{"type":"object"}}]}""");
        assertEquals(200, response.statusCode(), response.body());
        List<SseEvents.Event> events = SseEvents.parse(response.body());
        assertEquals("message_stop", events.get(events.size() - 1).name());
        String delta = events.get(events.size() - 2).data();
        assertEquals("tool_use", JsonPath.read(delta, "delta", "stop_reason"));
        assertEquals("61", JsonPath.read(delta, "usage", "input_tokens"));
        assertEquals("78", JsonPath.read(delta, "usage", "output_tokens"));
        assertEquals("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", upstream.last().uri());
        assertEquals("500", JsonPath.read(upstream.last().body(), "generationConfig", "maxOutputTokens"));
    }

    @Test
    void anAnthropicClientPassesThroughToAnthropicWithOnlyTheModelRewritten() throws Exception {
        upstream.script(stream("anthropic/message-stream.sse", 3));
        HttpResponse<String> response = gateway.client().send(gateway.request("/v1/messages")
                .header("x-api-key", GatewayHarness.KEY)
                .header("anthropic-version", "2023-06-01")
                .header("anthropic-beta", "prompt-caching-2024-07-31")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"claude-sonnet","max_tokens":100,"stream":true,
                        "messages":[{"role":"user","content":"Capital of France?"}]}""")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        String expected = Fixtures.text("anthropic/message-stream.sse")
                .replace("\"model\":\"claude-sonnet-4-5-20250929\"", "\"model\":\"claude-sonnet\"");
        assertEquals(expected, response.body());

        FakeUpstream.Received sent = upstream.last();
        assertEquals("/v1/messages", sent.uri());
        assertEquals("sk-ant-upstream", sent.headers().get("x-api-key"), "the provider's key, not the client's");
        assertEquals("prompt-caching-2024-07-31", sent.headers().get("anthropic-beta"));
        assertEquals("claude-sonnet-4-5-20250929", JsonPath.read(sent.body(), "model"));

        String metrics = gateway.get("/metrics", null).body();
        assertEquals(10.0, PrometheusText.value(metrics, "llm_tokens_total",
                "model", "claude-sonnet", "type", "output"));
        assertEquals(21.0, PrometheusText.value(metrics, "llm_tokens_total",
                "model", "claude-sonnet", "type", "input"));
    }

    @Test
    void anAnthropicPassThroughCutBeforeMessageStopEndsWithAnAnthropicErrorEvent() throws Exception {
        String whole = Fixtures.text("anthropic/message-stream.sse");
        byte[] cut = whole.substring(0, whole.indexOf("event: message_delta")).getBytes(StandardCharsets.UTF_8);
        upstream.script(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            reply.body(cut);
            reply.end();
        });
        HttpResponse<String> response = anthropicPost("/v1/messages", """
                {"model":"claude-sonnet","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""");
        List<SseEvents.Event> events = SseEvents.parse(response.body());
        SseEvents.Event last = events.get(events.size() - 1);
        assertEquals("error", last.name());
        assertEquals("error", JsonPath.read(last.data(), "type"));
        assertEquals("api_error", JsonPath.read(last.data(), "error", "type"));
        assertFalse(events.stream().anyMatch(e -> "message_stop".equals(e.name())), response.body());
    }

    @Test
    void countTokensGoesToAnthropicAndIsRefusedElsewhereInAnthropicsShape() throws Exception {
        upstream.script(reply -> reply.full(200, "OK", "application/json",
                "{\"input_tokens\":14}".getBytes(StandardCharsets.UTF_8)));
        HttpResponse<String> counted = anthropicPost("/v1/messages/count_tokens", """
                {"model":"claude-sonnet","messages":[{"role":"user","content":"Hi"}]}""");
        assertEquals(200, counted.statusCode(), counted.body());
        assertEquals("14", JsonPath.read(counted.body(), "input_tokens"));
        assertEquals("/v1/messages/count_tokens", upstream.last().uri());

        HttpResponse<String> refused = anthropicPost("/v1/messages/count_tokens", """
                {"model":"llama","messages":[{"role":"user","content":"Hi"}]}""");
        assertEquals(400, refused.statusCode());
        assertEquals("error", JsonPath.read(refused.body(), "type"));
        assertEquals("invalid_request_error", JsonPath.read(refused.body(), "error", "type"));
        assertTrue(JsonPath.read(refused.body(), "request_id").startsWith("req_"));
    }

    @Test
    void anErrorEventMidStreamReachesAnOpenAiClientAsAnErrorWithoutDone() throws Exception {
        upstream.script(stream("anthropic/message-stream-error-overloaded.sse", 5));
        HttpResponse<String> response = gateway.post("/v1/chat/completions", """
                {"model":"claude-sonnet","stream":true,"messages":[{"role":"user","content":"Hi"}]}""");
        assertEquals(200, response.statusCode());
        List<String> data = SseEvents.data(response.body());
        assertFalse(data.contains("[DONE]"), response.body());
        String last = data.get(data.size() - 1);
        assertEquals("overloaded_error", JsonPath.read(last, "error", "code"), last);
        assertEquals("Overloaded", JsonPath.read(last, "error", "message"));
        assertEquals("Hello", joined(data.subList(0, data.size() - 1), "choices", "0", "delta", "content"));
    }

    @Test
    void aGeminiStreamCutBeforeItsFinishReasonIsAnErrorNeverADone() throws Exception {
        String whole = Fixtures.text("gemini/stream-generate-content.sse");
        byte[] cut = whole.substring(0, whole.lastIndexOf("data:")).getBytes(StandardCharsets.UTF_8);
        upstream.script(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            reply.body(cut);
            reply.end();
        });
        HttpResponse<String> response = gateway.post("/v1/chat/completions", """
                {"model":"gemini-flash","stream":true,"messages":[{"role":"user","content":"Hi"}]}""");
        List<String> data = SseEvents.data(response.body());
        assertFalse(data.contains("[DONE]"), response.body());
        assertEquals("upstream_error", JsonPath.read(data.get(data.size() - 1), "error", "code"));
    }

    @Test
    void providerErrorsReachEachClientInItsOwnDialect() throws Exception {
        upstream.script(reply -> reply.full(529, "Overloaded", "application/json",
                Fixtures.bytes("anthropic/error-529-overloaded.json"), "request-id", "req_011CSHoEeqs5C35K2UUqR7Fy"));
        HttpResponse<String> overloaded = gateway.post("/v1/chat/completions", """
                {"model":"claude-sonnet","messages":[{"role":"user","content":"Hi"}]}""");
        assertEquals(503, overloaded.statusCode(), "OpenAI has no 529");
        assertEquals("server_error", JsonPath.read(overloaded.body(), "error", "type"));
        assertEquals("overloaded_error", JsonPath.read(overloaded.body(), "error", "code"));

        upstream.script(reply -> reply.full(429, "Too Many Requests", "application/json; charset=UTF-8",
                Fixtures.bytes("gemini/error-429-resource-exhausted.json")));
        HttpResponse<String> limited = gateway.post("/v1/chat/completions", """
                {"model":"gemini-flash","messages":[{"role":"user","content":"Hi"}]}""");
        assertEquals(429, limited.statusCode(), limited.body());
        assertEquals("rate_limit_exceeded", JsonPath.read(limited.body(), "error", "code"));
        assertTrue(limited.headers().firstValue("retry-after").isPresent(), limited.headers().toString());

        upstream.script(reply -> reply.full(429, "Too Many Requests", "application/json",
                Fixtures.bytes("openai/error-429-rate-limit.json"), "retry-after", "46"));
        HttpResponse<String> anthropicLimited = anthropicPost("/v1/messages", """
                {"model":"llama","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""");
        assertEquals(429, anthropicLimited.statusCode(), anthropicLimited.body());
        assertEquals("error", JsonPath.read(anthropicLimited.body(), "type"));
        assertEquals("rate_limit_error", JsonPath.read(anthropicLimited.body(), "error", "type"));
        assertEquals("46", anthropicLimited.headers().firstValue("retry-after").orElse(null));
    }

    @Test
    void aGeminiKeyAnsweredApiKeyInvalidRestsLikeA401() throws Exception {
        try (FakeUpstream gemini = new FakeUpstream(reply -> {
            if ("gm-bad".equals(reply.request().headers().get("x-goog-api-key"))) {
                reply.full(400, "Bad Request", "application/json; charset=UTF-8",
                        Fixtures.bytes("gemini/error-400-api-key-invalid.json"));
            } else {
                reply.full(200, "OK", "application/json; charset=UTF-8", Fixtures.bytes("gemini/generate-content.json"));
            }
        }); GatewayHarness local = GatewayHarness.start(protocol, """
                [[api_keys]]
                name = "tester"
                key = "%s"

                [providers.gem]
                type = "gemini"
                base_url = "http://127.0.0.1:%d/v1beta"
                api_keys = ["gm-bad", "gm-good"]
                """.formatted(GatewayHarness.KEY, gemini.port()))) {
            String chat = "{\"model\":\"gem/gemini-2.5-flash\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
            for (int i = 0; i < 3; i++) {
                assertEquals(200, local.post("/v1/chat/completions", chat).statusCode(), "the good key serves");
            }
            assertEquals(List.of("gm-bad", "gm-good", "gm-good", "gm-good"), gemini.received().stream()
                    .map(r -> r.headers().get("x-goog-api-key")).toList(), "the bad key rests");
            assertEquals(1, PrometheusText.value(local.get("/metrics", null).body(),
                    "llm_upstream_key_cooldowns_total", "provider", "gem", "key_index", "0", "reason", "auth_failed"));

            gemini.script(reply -> reply.full(400, "Bad Request", "application/json; charset=UTF-8",
                    Fixtures.bytes("gemini/error-400-api-key-invalid.json")));
            HttpResponse<String> refused = local.post("/v1/chat/completions", chat);
            assertEquals(502, refused.statusCode(), refused.body());
            assertEquals("upstream_credentials_rejected", JsonPath.read(refused.body(), "error", "code"));
            HttpResponse<String> anthropicClient = local.client().send(local.request("/v1/messages")
                    .header("x-api-key", GatewayHarness.KEY)
                    .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gem/gemini-2.5-flash\","
                            + "\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, anthropicClient.statusCode(), anthropicClient.body());
            assertEquals("error", JsonPath.read(anthropicClient.body(), "type"), "the client's own API shape");
            assertTrue(JsonPath.read(anthropicClient.body(), "error", "message")
                    .contains("rejected the gateway's credentials"), anthropicClient.body());
            assertEquals(5, gemini.received().size(), "both keys rest: the last request was not sent");
        }
    }

    @Test
    void gatewayErrorsOnTheMessagesRouteUseAnthropicsShape() throws Exception {
        HttpResponse<String> unauthenticated = gateway.client().send(gateway.request("/v1/messages")
                .header("x-api-key", "wrong-key").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, unauthenticated.statusCode());
        assertEquals("authentication_error", JsonPath.read(unauthenticated.body(), "error", "type"));
        assertEquals(unauthenticated.headers().firstValue("x-request-id").orElse(null),
                JsonPath.read(unauthenticated.body(), "request_id"));
        assertEquals(unauthenticated.headers().firstValue("x-request-id").orElse(null),
                unauthenticated.headers().firstValue("request-id").orElse(null), "the Anthropic SDKs read request-id");

        HttpResponse<String> unknown = anthropicPost("/v1/messages", """
                {"model":"no-such-model","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""");
        assertEquals(404, unknown.statusCode());
        assertEquals("not_found_error", JsonPath.read(unknown.body(), "error", "type"));

        HttpResponse<String> noMaxTokens = anthropicPost("/v1/messages", """
                {"model":"llama","messages":[{"role":"user","content":"Hi"}]}""");
        assertEquals(400, noMaxTokens.statusCode(), noMaxTokens.body());
        assertEquals("invalid_request_error", JsonPath.read(noMaxTokens.body(), "error", "type"));
    }

    /** The Anthropic SDKs take a response's and an error's request id from {@code request-id}, not x-request-id. */
    @Test
    void anthropicClientsGetTheGatewaysRequestIdInAnthropicsHeader() throws Exception {
        HttpResponse<String> translated = anthropicPost("/v1/messages", """
                {"model":"llama","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""");
        assertEquals(200, translated.statusCode(), translated.body());
        assertRequestIdsAgree(translated);

        upstream.script(reply -> reply.full(200, "OK", "application/json", Fixtures.bytes("anthropic/message.json"),
                "request-id", "req_up_anthropic"));
        HttpResponse<String> passedThrough = anthropicPost("/v1/messages", """
                {"model":"claude-sonnet","max_tokens":10,"messages":[{"role":"user","content":"Hi"}]}""");
        assertEquals(200, passedThrough.statusCode(), passedThrough.body());
        assertRequestIdsAgree(passedThrough);
        assertEquals("req_up_anthropic", passedThrough.headers().firstValue("x-upstream-request-id").orElse(null));

        HttpResponse<String> streamed = anthropicPost("/v1/messages", """
                {"model":"demo","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"Hi"}]}""");
        assertEquals(200, streamed.statusCode(), streamed.body());
        assertRequestIdsAgree(streamed);
    }

    private static void assertRequestIdsAgree(HttpResponse<String> response) {
        String id = response.headers().firstValue("x-request-id").orElse(null);
        assertTrue(id != null && id.startsWith("req_"), response.headers().toString());
        assertEquals(id, response.headers().firstValue("request-id").orElse(null), response.headers().toString());
    }

    @Test
    void aBodyOverTheLimitOnTheMessagesRouteIsRefusedInAnthropicsShape() throws Exception {
        try (GatewayHarness small = GatewayHarness.start(protocol, "max_request_bytes = 1024", """
                [[api_keys]]
                name = "tester"
                key = "%s"

                [providers.mock]
                type = "mock"
                """.formatted(GatewayHarness.KEY), Map.of())) {
            HttpResponse<String> refused = small.client().send(small.request("/v1/messages")
                    .header("x-api-key", GatewayHarness.KEY).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"mock/m\",\"max_tokens\":5,\"messages\":"
                            + "[{\"role\":\"user\",\"content\":\"" + "x".repeat(2000) + "\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(413, refused.statusCode());
            assertEquals("request_too_large", JsonPath.read(refused.body(), "error", "type"));
            assertEquals("error", JsonPath.read(refused.body(), "type"));
        }
    }

    @Test
    void anAnthropicClientChatsWithTheBuiltInMock() throws Exception {
        HttpResponse<String> streamed = anthropicPost("/v1/messages", """
                {"model":"demo","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Hello"}]}""");
        assertEquals(200, streamed.statusCode(), streamed.body());
        List<SseEvents.Event> events = SseEvents.parse(streamed.body());
        assertEquals("message_start", events.get(0).name());
        assertEquals("message_stop", events.get(events.size() - 1).name());
        String text = events.stream().filter(e -> e.name().equals("content_block_delta"))
                .map(e -> JsonPath.read(e.data(), "delta", "text")).collect(Collectors.joining());
        assertFalse(text.isBlank());
        assertEquals("end_turn", JsonPath.read(events.get(events.size() - 2).data(), "delta", "stop_reason"));

        HttpResponse<String> whole = anthropicPost("/v1/messages", """
                {"model":"demo","max_tokens":100,"messages":[{"role":"user","content":"Hello"}]}""");
        assertEquals(200, whole.statusCode(), whole.body());
        assertEquals("message", JsonPath.read(whole.body(), "type"));
        assertEquals("demo", JsonPath.read(whole.body(), "model"));
        assertEquals("text", JsonPath.read(whole.body(), "content", "0", "type"));
        assertEquals("end_turn", JsonPath.read(whole.body(), "stop_reason"));
    }

    private HttpResponse<String> anthropicPost(String path, String json) throws Exception {
        return gateway.client().send(gateway.request(path)
                .header("x-api-key", GatewayHarness.KEY)
                .header("anthropic-version", "2023-06-01")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
