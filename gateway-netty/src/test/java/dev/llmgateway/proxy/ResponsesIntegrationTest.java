package dev.llmgateway.proxy;

import dev.llmgateway.dialect.StreamSplits;
import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.CodexCaptures;
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

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OpenAI's Responses API ({@code /v1/responses}) through a real gateway: translated for Anthropic, Gemini,
 * OpenAI-compatible and mock providers (fake providers on loopback answering with the fixtures' bytes, cut at
 * random places), passed through to an OpenAI provider with the alias spliced into every response object.
 */
@OnBothClientProtocols
class ResponsesIntegrationTest {
    @Parameter
    ClientProtocol protocol;

    private static final String TOOLS = """
            "tools":[{"type":"function","name":"get_weather","description":"Get the weather.",
            "parameters":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string"}},
            "required":["city"]}}]""";
    private static final String APPLY_PATCH = """
            "tools":[{"type":"custom","name":"apply_patch","description":"Edit files.",
            "format":{"type":"grammar","syntax":"lark","definition":"start: begin_patch"}}]""";
    private static final String PATCH = "*** Begin Patch\n*** Add File: a.txt\n+hi \"there\"\n*** End Patch\n";

    private FakeUpstream upstream;
    private GatewayHarness gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
        String base = "http://127.0.0.1:" + upstream.port();
        gateway = GatewayHarness.start(protocol, GatewayHarness.everyProviderType(base, """

                [providers.oa]
                type = "openai"
                base_url = "%s/v1"
                api_keys = ["sk-oa"]
                max_attempts = 1

                [models."gpt-mini"]
                provider = "oa"
                api_model = "gpt-4.1-mini"
                """.formatted(base)));
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    /** Streams {@code bytes} in reads cut at random places. */
    private static FakeUpstream.Script stream(byte[] bytes, long seed) {
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

    private static List<SseEvents.Event> events(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        List<SseEvents.Event> events = SseEvents.parse(response.body());
        for (int i = 0; i < events.size(); i++) {
            SseEvents.Event event = events.get(i);
            assertEquals(event.name(), JsonPath.read(event.data(), "type"), "the event line names the type");
            assertEquals(Integer.toString(i), JsonPath.read(event.data(), "sequence_number"), event.data());
        }
        return events;
    }

    private static List<String> types(List<SseEvents.Event> events) {
        return events.stream().map(SseEvents.Event::name).toList();
    }

    private static String joined(List<SseEvents.Event> events, String type, String... path) {
        return events.stream().filter(e -> e.name().equals(type)).map(e -> JsonPath.read(e.data(), path))
                .collect(Collectors.joining());
    }

    private static SseEvents.Event last(List<SseEvents.Event> events) {
        return events.get(events.size() - 1);
    }

    @Test
    void aClaudeStreamWithTextAndAToolCallGivesBothItems() throws Exception {
        byte[] fixture = Fixtures.bytes("anthropic/message-stream-tool-use.sse");
        for (long seed = 1; seed <= 5; seed++) {
            upstream.script(stream(fixture, seed));
            List<SseEvents.Event> events = events(gateway.post("/v1/responses", """
                    {"model":"claude-sonnet","stream":true,"store":false,"instructions":"Be brief.",
                    "input":[{"role":"user","content":[{"type":"input_text","text":"Weather in Paris?"}]}],%s}"""
                    .formatted(TOOLS)));
            assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                    "response.content_part.added"), types(events).subList(0, 4));
            assertEquals("claude-sonnet", JsonPath.read(events.get(0).data(), "response", "model"));
            assertEquals("I'll check the weather in Paris for you.",
                    joined(events, "response.output_text.delta", "delta"));
            assertEquals("I'll check the weather in Paris for you.",
                    joined(events, "response.output_text.done", "text"));
            assertEquals("{\"city\": \"Paris\", \"unit\": \"celsius\"}",
                    joined(events, "response.function_call_arguments.delta", "delta"));
            SseEvents.Event completed = last(events);
            assertEquals("response.completed", completed.name());
            String response = completed.data();
            assertEquals("completed", JsonPath.read(response, "response", "status"));
            assertEquals("claude-sonnet", JsonPath.read(response, "response", "model"));
            assertEquals("message", JsonPath.read(response, "response", "output", "0", "type"));
            assertEquals("I'll check the weather in Paris for you.",
                    JsonPath.read(response, "response", "output", "0", "content", "0", "text"));
            assertEquals("function_call", JsonPath.read(response, "response", "output", "1", "type"));
            assertEquals("toolu_01T1x1fJ34qAmk2tNTrN7Up6",
                    JsonPath.read(response, "response", "output", "1", "call_id"));
            assertEquals("get_weather", JsonPath.read(response, "response", "output", "1", "name"));
            assertEquals("472", JsonPath.read(response, "response", "usage", "input_tokens"));
            assertEquals("89", JsonPath.read(response, "response", "usage", "output_tokens"));
            assertEquals("0", JsonPath.read(response, "response", "usage", "input_tokens_details", "cached_tokens"));
            assertEquals("561", JsonPath.read(response, "response", "usage", "total_tokens"));

            FakeUpstream.Received sent = upstream.last();
            assertEquals("/v1/messages", sent.uri());
            assertEquals("claude-sonnet-4-5-20250929", JsonPath.read(sent.body(), "model"));
            assertEquals("Be brief.", JsonPath.read(sent.body(), "system"));
            assertEquals("Weather in Paris?", JsonPath.read(sent.body(), "messages", "0", "content", "0", "text"));
            assertEquals("get_weather", JsonPath.read(sent.body(), "tools", "0", "name"));
            assertEquals("true", JsonPath.read(sent.body(), "stream"));
        }
        String metrics = gateway.get("/metrics", null).body();
        assertEquals(5 * 89.0, PrometheusText.value(metrics, "llm_tokens_total",
                "model", "claude-sonnet", "type", "output"));
    }

    /** LiteLLM #17246: text and a tool call in one chat chunk stream must both reach the client. */
    @Test
    void textAndAToolCallFromAChatServerBothReachTheClient() throws Exception {
        String chunk = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"llama3.1\","
                + "\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}\n\n";
        String sse = chunk.formatted("{\"role\":\"assistant\",\"content\":\"Checking.\",\"tool_calls\":[{\"index\":0,"
                + "\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
                + "\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}", "null")
                + chunk.formatted("{}", "\"tool_calls\"")
                + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"llama3.1\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":7,\"total_tokens\":27}}\n\n"
                + "data: [DONE]\n\n";
        upstream.script(stream(sse.getBytes(StandardCharsets.UTF_8), 3));
        List<SseEvents.Event> events = events(gateway.post("/v1/responses", """
                {"model":"llama","stream":true,"input":"Weather in Paris?",%s}""".formatted(TOOLS)));
        String response = last(events).data();
        assertEquals("response.completed", last(events).name());
        assertEquals("Checking.", JsonPath.read(response, "response", "output", "0", "content", "0", "text"));
        assertEquals("function_call", JsonPath.read(response, "response", "output", "1", "type"));
        assertEquals("{\"city\":\"Paris\"}", JsonPath.read(response, "response", "output", "1", "arguments"));
        assertEquals("20", JsonPath.read(response, "response", "usage", "input_tokens"));
        assertEquals("/v1/chat/completions", upstream.last().uri());
        assertEquals("get_weather", JsonPath.read(upstream.last().body(), "tools", "0", "function", "name"));
        assertEquals("true", JsonPath.read(upstream.last().body(), "stream_options", "include_usage"));
    }

    @Test
    void aGeminiFunctionCallStreamsAsAFunctionCallItem() throws Exception {
        upstream.script(stream(Fixtures.bytes("gemini/stream-generate-content-function-call.sse"), 7));
        List<SseEvents.Event> events = events(gateway.post("/v1/responses", """
                {"model":"gemini-flash","stream":true,"input":"Weather in Paris?",%s}""".formatted(TOOLS)));
        String response = last(events).data();
        assertEquals("response.completed", last(events).name());
        assertEquals("function_call", JsonPath.read(response, "response", "output", "0", "type"));
        assertEquals("Paris", JsonPath.read(JsonPath.read(response, "response", "output", "0", "arguments"), "city"));
        assertTrue(JsonPath.read(response, "response", "output", "0", "call_id").contains("__ts_"),
                "the thought signature rides in the call id");
        assertEquals("58", JsonPath.read(response, "response", "usage", "output_tokens_details", "reasoning_tokens"));
        assertEquals("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", upstream.last().uri());
    }

    @Test
    void aGeminiAnswerCutByTheTokenLimitIsIncomplete() throws Exception {
        upstream.script(FakeUpstream.json("gemini/generate-content-max-tokens.json"));
        HttpResponse<String> response = gateway.post("/v1/responses", """
                {"model":"gemini-flash","max_output_tokens":16,"input":"Tell a story."}""");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("response", JsonPath.read(response.body(), "object"));
        assertEquals("incomplete", JsonPath.read(response.body(), "status"));
        assertEquals("max_output_tokens", JsonPath.read(response.body(), "incomplete_details", "reason"));
        assertEquals("gemini-flash", JsonPath.read(response.body(), "model"));
        assertEquals("16", JsonPath.read(upstream.last().body(), "generationConfig", "maxOutputTokens"));
    }

    @Test
    void aClaudeToolUseBodyIsAResponseObject() throws Exception {
        upstream.script(FakeUpstream.json("anthropic/message-tool-use.json"));
        HttpResponse<String> response = gateway.post("/v1/responses", """
                {"model":"claude-sonnet","max_output_tokens":300,"input":"Weather in Paris?",%s}""".formatted(TOOLS));
        assertEquals(200, response.statusCode(), response.body());
        String body = response.body();
        assertEquals("response", JsonPath.read(body, "object"));
        assertEquals("completed", JsonPath.read(body, "status"));
        assertEquals("claude-sonnet", JsonPath.read(body, "model"));
        assertEquals("message", JsonPath.read(body, "output", "0", "type"));
        assertEquals("function_call", JsonPath.read(body, "output", "1", "type"));
        assertEquals("toolu_01A09q90qw90lq917835lq9f", JsonPath.read(body, "output", "1", "call_id"));
        assertEquals("Paris", JsonPath.read(JsonPath.read(body, "output", "1", "arguments"), "city"));
        assertEquals("412", JsonPath.read(body, "usage", "input_tokens"));
        assertEquals(Integer.toString(body.getBytes(StandardCharsets.UTF_8).length),
                response.headers().firstValue("content-length").orElse(null));
        assertEquals("300", JsonPath.read(upstream.last().body(), "max_tokens"));
    }

    /** Claude's signed thinking comes as a reasoning item and goes back, unchanged, as a thinking block. */
    @Test
    void claudeThinkingGoesRoundTripAsAReasoningItem() throws Exception {
        upstream.script(stream(Fixtures.bytes("anthropic/message-stream-thinking.sse"), 9));
        List<SseEvents.Event> events = events(gateway.post("/v1/responses", """
                {"model":"claude-sonnet","stream":true,"max_output_tokens":4000,"reasoning":{"effort":"low"},
                "input":"What is 27 * 453?"}"""));
        String thinking = "The user wants 27 * 453. 27 * 453 = 27 * 400 + 27 * 53 = 10800 + 1431 = 12231.";
        assertEquals(thinking, joined(events, "response.reasoning_summary_text.delta", "delta"));
        String response = last(events).data();
        assertEquals("reasoning", JsonPath.read(response, "response", "output", "0", "type"));
        assertEquals(thinking, JsonPath.read(response, "response", "output", "0", "summary", "0", "text"));
        String signature = JsonPath.read(response, "response", "output", "0", "encrypted_content");
        assertTrue(signature.startsWith("EqQBCkYI"), signature);
        assertEquals("message", JsonPath.read(response, "response", "output", "1", "type"));
        assertEquals("1024", JsonPath.read(upstream.last().body(), "thinking", "budget_tokens"));

        upstream.script(FakeUpstream.json("anthropic/message.json"));
        HttpResponse<String> next = gateway.post("/v1/responses", """
                {"model":"claude-sonnet","max_output_tokens":4000,"reasoning":{"effort":"low"},"input":[
                {"role":"user","content":"What is 27 * 453?"},
                {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":%s}],
                "encrypted_content":"%s"},
                {"type":"function_call","call_id":"toolu_1","name":"calc","arguments":"{}"},
                {"type":"function_call_output","call_id":"toolu_1","output":"12231"}],
                "tools":[{"type":"function","name":"calc","parameters":{"type":"object"}}]}"""
                .formatted(quoted(thinking), signature));
        assertEquals(200, next.statusCode(), next.body());
        String sent = upstream.last().body();
        assertEquals("thinking", JsonPath.read(sent, "messages", "1", "content", "0", "type"));
        assertEquals(thinking, JsonPath.read(sent, "messages", "1", "content", "0", "thinking"));
        assertEquals(signature, JsonPath.read(sent, "messages", "1", "content", "0", "signature"));
        assertEquals("tool_use", JsonPath.read(sent, "messages", "1", "content", "1", "type"));
        assertEquals("tool_result", JsonPath.read(sent, "messages", "2", "content", "0", "type"));
    }

    /** Codex's apply_patch: a freeform tool goes out as a one-string function and comes back as a custom call. */
    @Test
    void aCustomToolCallGoesRoundTrip() throws Exception {
        String arguments = "{\"input\":" + quoted(PATCH) + "}";
        String sse = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"llama3.1\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_p\",\"type\":"
                + "\"function\",\"function\":{\"name\":\"apply_patch\",\"arguments\":" + quoted(arguments)
                + "}}]},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n";
        upstream.script(stream(sse.getBytes(StandardCharsets.UTF_8), 11));
        List<SseEvents.Event> events = events(gateway.post("/v1/responses", """
                {"model":"llama","stream":true,"input":"Add a.txt",%s}""".formatted(APPLY_PATCH)));
        String sent = upstream.last().body();
        assertEquals("apply_patch", JsonPath.read(sent, "tools", "0", "function", "name"));
        assertEquals("string", JsonPath.read(sent, "tools", "0", "function", "parameters", "properties", "input",
                "type"));
        assertTrue(JsonPath.read(sent, "tools", "0", "function", "parameters", "properties", "input",
                "description").contains("start: begin_patch"));
        assertEquals(PATCH, joined(events, "response.custom_tool_call_input.delta", "delta"));
        assertEquals(PATCH, joined(events, "response.custom_tool_call_input.done", "input"));
        String completed = last(events).data();
        assertEquals("custom_tool_call", JsonPath.read(completed, "response", "output", "0", "type"));
        assertEquals("call_p", JsonPath.read(completed, "response", "output", "0", "call_id"));
        assertEquals(PATCH, JsonPath.read(completed, "response", "output", "0", "input"));
        assertFalse(types(events).contains("response.function_call_arguments.delta"));

        upstream.script(FakeUpstream.json("openai/chat-completion.json"));
        HttpResponse<String> next = gateway.post("/v1/responses", """
                {"model":"llama","input":[{"role":"user","content":"Add a.txt"},
                {"type":"custom_tool_call","call_id":"call_p","name":"apply_patch","input":%s},
                {"type":"custom_tool_call_output","call_id":"call_p","output":"Done!"}],%s}"""
                .formatted(quoted(PATCH), APPLY_PATCH));
        assertEquals(200, next.statusCode(), next.body());
        String second = upstream.last().body();
        assertEquals("call_p", JsonPath.read(second, "messages", "1", "tool_calls", "0", "id"));
        assertEquals(PATCH, JsonPath.read(JsonPath.read(second, "messages", "1", "tool_calls", "0", "function",
                "arguments"), "input"));
        assertEquals("tool", JsonPath.read(second, "messages", "2", "role"));
        assertEquals("Done!", JsonPath.read(second, "messages", "2", "content"));
        assertEquals("The capital of France is Paris.", JsonPath.read(next.body(), "output", "0", "content", "0",
                "text"));
    }

    /** What Codex CLI sent in its second turn (its hosted web and tool search off), to Claude. */
    @Test
    void codexsSecondTurnReachesClaude() throws Exception {
        upstream.script(stream(Fixtures.bytes("anthropic/message-stream.sse"), 13));
        String codex = CodexCaptures.withoutHostedTools(CodexCaptures.request(CodexCaptures.APPLY_PATCH_TURN_2))
                .replace("\"model\":\"gpt-5.5\"", "\"model\":\"claude-sonnet\"");
        List<SseEvents.Event> events = events(gateway.post("/v1/responses", codex));
        assertEquals("response.completed", last(events).name());
        assertEquals("The capital of France is Paris.", joined(events, "response.output_text.delta", "delta"));
        String sent = upstream.last().body();
        assertTrue(JsonPath.read(sent, "system").startsWith("You are Codex"), JsonPath.read(sent, "system"));
        List<String> tools = JsonPath.column(sent, "name", "tools");
        assertTrue(tools.contains("apply_patch") && tools.contains("exec_command"), tools.toString());
        String patch = null;
        String result = null;
        for (int m = 0; JsonPath.read(sent, "messages", Integer.toString(m)) != null; m++) {
            for (int b = 0; JsonPath.read(sent, "messages", Integer.toString(m), "content", Integer.toString(b))
                    != null; b++) {
                String type = JsonPath.read(sent, "messages", Integer.toString(m), "content", Integer.toString(b),
                        "type");
                if ("tool_use".equals(type)) {
                    patch = JsonPath.read(sent, "messages", Integer.toString(m), "content", Integer.toString(b),
                            "input", "input");
                } else if ("tool_result".equals(type)) {
                    result = JsonPath.read(sent, "messages", Integer.toString(m), "content", Integer.toString(b),
                            "content");
                }
            }
        }
        assertEquals("*** Begin Patch\n*** Add File: hello.txt\n+hi\n*** End Patch\n", patch);
        assertTrue(result != null && result.startsWith("Exit code: 0"), String.valueOf(result));
    }

    @Test
    void theMockAnswersStreamedAndWhole() throws Exception {
        List<SseEvents.Event> events = events(gateway.post("/v1/responses",
                "{\"model\":\"demo\",\"stream\":true,\"input\":\"hi\"}"));
        assertEquals("response.completed", last(events).name());
        assertFalse(joined(events, "response.output_text.delta", "delta").isEmpty());
        assertEquals("demo", JsonPath.read(last(events).data(), "response", "model"));
        HttpResponse<String> whole = gateway.post("/v1/responses", "{\"model\":\"demo\",\"input\":\"hi\"}");
        assertEquals(200, whole.statusCode(), whole.body());
        assertEquals("completed", JsonPath.read(whole.body(), "status"));
        assertEquals("output_text", JsonPath.read(whole.body(), "output", "0", "content", "0", "type"));
    }

    @Test
    void aProviderErrorBeforeTheHeadIsAnOpenAiError() throws Exception {
        upstream.script(reply -> reply.full(429, "Too Many Requests", "application/json",
                Fixtures.bytes("anthropic/error-429-rate-limit.json"), "retry-after", "7"));
        HttpResponse<String> response = gateway.post("/v1/responses", "{\"model\":\"claude-sonnet\",\"input\":\"hi\"}");
        assertEquals(429, response.statusCode(), response.body());
        assertEquals("7", response.headers().firstValue("retry-after").orElse(null));
        assertTrue(response.headers().firstValue("x-request-id").orElse("").startsWith("req_"));
        assertTrue(JsonPath.read(response.body(), "error", "message") != null, response.body());
        assertEquals("rate_limit_exceeded", JsonPath.read(response.body(), "error", "code"));
    }

    @Test
    void aProviderErrorMidStreamFailsTheResponse() throws Exception {
        upstream.script(stream(Fixtures.bytes("anthropic/message-stream-error-overloaded.sse"), 5));
        List<SseEvents.Event> events = events(gateway.post("/v1/responses",
                "{\"model\":\"claude-sonnet\",\"stream\":true,\"input\":\"hi\"}"));
        assertEquals("Hello", joined(events, "response.output_text.delta", "delta"));
        assertEquals("error", events.get(events.size() - 2).name());
        assertTrue(JsonPath.read(events.get(events.size() - 2).data(), "message").contains("Overloaded"));
        assertEquals("response.failed", last(events).name());
        assertEquals("failed", JsonPath.read(last(events).data(), "response", "status"));
        assertFalse(types(events).contains("response.completed"));
    }

    @Test
    void aCutStreamFailsTheResponse() throws Exception {
        String text = Fixtures.text("anthropic/message-stream-tool-use.sse");
        byte[] cut = text.substring(0, text.indexOf("input_json_delta")).getBytes(StandardCharsets.UTF_8);
        upstream.script(stream(cut, 2));
        List<SseEvents.Event> events = events(gateway.post("/v1/responses", """
                {"model":"claude-sonnet","stream":true,"input":"Weather?",%s}""".formatted(TOOLS)));
        assertEquals("error", events.get(events.size() - 2).name());
        assertEquals("response.failed", last(events).name());
        assertFalse(types(events).contains("response.completed"));
    }

    @Test
    void whatOnlyAStoredResponseOrOpenAiCanDoIsRefused() throws Exception {
        HttpResponse<String> previous = gateway.post("/v1/responses",
                "{\"model\":\"claude-sonnet\",\"previous_response_id\":\"resp_1\",\"input\":\"hi\"}");
        assertEquals(400, previous.statusCode());
        assertEquals("previous_response_id", JsonPath.read(previous.body(), "error", "param"));
        assertTrue(JsonPath.read(previous.body(), "error", "message").contains("keeps no responses"));
        assertTrue(previous.headers().firstValue("x-request-id").isPresent());
        HttpResponse<String> search = gateway.post("/v1/responses",
                "{\"model\":\"llama\",\"input\":\"hi\",\"tools\":[{\"type\":\"web_search\"}]}");
        assertEquals(400, search.statusCode());
        assertEquals("tools[0].type", JsonPath.read(search.body(), "error", "param"));
        assertTrue(upstream.received().isEmpty(), "nothing reached the provider");
    }

    @Test
    void aPassThroughStreamNamesTheAliasInEveryResponseObject() throws Exception {
        byte[] fixture = Fixtures.bytes("openai/responses-stream.sse");
        for (long seed = 1; seed <= 3; seed++) {
            upstream.script(stream(fixture, seed));
            HttpResponse<String> response = gateway.post("/v1/responses", """
                    {"model":"gpt-mini","stream":true,"input":"Hello!"}""");
            List<SseEvents.Event> events = SseEvents.parse(response.body());
            assertEquals("/v1/responses", upstream.last().uri());
            assertEquals("gpt-4.1-mini", JsonPath.read(upstream.last().body(), "model"));
            assertEquals(16, events.size());
            for (SseEvents.Event event : events) {
                String model = JsonPath.read(event.data(), "response", "model");
                if (event.name().startsWith("response.") && event.name().indexOf('.', 9) < 0) {
                    assertEquals("gpt-mini", model, event.data());
                } else {
                    assertNull(model);
                }
            }
            assertEquals(Fixtures.text("openai/responses-stream.sse").replace("\"gpt-4.1-mini-2025-04-14\"",
                    "\"gpt-mini\""), response.body(), "only the model changes");
        }
        String metrics = gateway.get("/metrics", null).body();
        assertEquals(3 * 11.0, PrometheusText.value(metrics, "llm_tokens_total",
                "model", "gpt-mini", "type", "output"));
    }

    @Test
    void aPassThroughStreamCutBeforeItsEndEndsWithAnErrorEvent() throws Exception {
        String text = Fixtures.text("openai/responses-stream.sse");
        upstream.script(stream(text.substring(0, text.indexOf("event: response.output_text.done"))
                .getBytes(StandardCharsets.UTF_8), 4));
        HttpResponse<String> response = gateway.post("/v1/responses",
                "{\"model\":\"gpt-mini\",\"stream\":true,\"input\":\"Hello!\"}");
        SseEvents.Event last = last(SseEvents.parse(response.body()));
        assertEquals("error", last.name());
        assertTrue(JsonPath.read(last.data(), "error", "message").contains("response.completed"), last.data());
    }

    @Test
    void aPassThroughBodyNamesTheAlias() throws Exception {
        String text = Fixtures.text("openai/responses-stream.sse");
        String completed = text.substring(text.lastIndexOf("data: ") + 6).strip();
        String object = completed.substring(completed.indexOf("\"response\":") + 11, completed.length() - 1);
        byte[] body = object.getBytes(StandardCharsets.UTF_8);
        upstream.script(reply -> reply.full(200, "OK", "application/json", body));
        HttpResponse<String> response = gateway.post("/v1/responses", "{\"model\":\"gpt-mini\",\"input\":\"Hello!\"}");
        assertEquals(200, response.statusCode());
        assertEquals("gpt-mini", JsonPath.read(response.body(), "model"));
        assertEquals("Hi there! How can I help?", JsonPath.read(response.body(), "output", "0", "content", "0",
                "text"));
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
