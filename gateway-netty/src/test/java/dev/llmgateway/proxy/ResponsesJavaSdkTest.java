package dev.llmgateway.proxy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OpenAI's Java SDK ({@code com.openai:openai-java}) as a real Responses client of the gateway, with its response
 * validation on (every body and stream event must have every required member, typed as the SDK expects): create
 * and streaming against a fake Anthropic, Gemini and OpenAI-compatible provider and the mock.
 */
class ResponsesJavaSdkTest {
    private static FakeUpstream upstream;
    private static GatewayHarness gateway;
    private static OpenAIClient client;

    private static final FunctionTool WEATHER = FunctionTool.builder()
            .name("get_weather")
            .description("Get the weather.")
            .strict(false)
            .parameters(FunctionTool.Parameters.builder()
                    .putAdditionalProperty("type", JsonValue.from("object"))
                    .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                    .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                    .build())
            .build();

    @BeforeAll
    static void start() throws Exception {
        upstream = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
        String base = "http://127.0.0.1:" + upstream.port();
        gateway = GatewayHarness.start(GatewayHarness.everyProviderType(base, ""));
        client = OpenAIOkHttpClient.builder()
                .baseUrl(gateway.uri("/v1").toString())
                .apiKey(GatewayHarness.KEY)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .responseValidation(true)
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
        gateway.close();
        upstream.close();
    }

    private static ResponseCreateParams.Builder params(String model) {
        return ResponseCreateParams.builder().model(model).input("What is the weather in Paris?");
    }

    /** Streams and folds the events as the SDK's own accumulator does, validating each. */
    private static Response streamed(ResponseCreateParams params, List<String> types) {
        ResponseAccumulator accumulator = ResponseAccumulator.create();
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
            stream.stream().forEach(event -> {
                event.validate();
                types.add(typeOf(event));
                accumulator.accumulate(event);
            });
        }
        return accumulator.response();
    }

    private static String typeOf(ResponseStreamEvent event) {
        return event.isCompleted() ? "completed" : event.isFailed() ? "failed" : event.isError() ? "error" : "other";
    }

    private static ResponseFunctionToolCall onlyCall(Response response) {
        List<ResponseFunctionToolCall> calls = response.output().stream().filter(ResponseOutputItem::isFunctionCall)
                .map(ResponseOutputItem::asFunctionCall).toList();
        assertEquals(1, calls.size(), response.output().toString());
        return calls.get(0);
    }

    private static String text(Response response) {
        return response.output().stream().filter(ResponseOutputItem::isMessage)
                .flatMap(item -> item.asMessage().content().stream())
                .map(content -> content.asOutputText().text())
                .reduce("", String::concat);
    }

    @Test
    void createGetsAClaudeToolCallWithItsText() {
        upstream.script(FakeUpstream.json("anthropic/message-tool-use.json"));
        Response response = client.responses().create(params("claude-sonnet").addTool(WEATHER).build());
        response.validate();
        assertEquals("claude-sonnet", response.model().asString());
        assertEquals(ResponseStatus.COMPLETED, response.status().orElseThrow());
        assertEquals("I'll check the weather in Paris for you.", text(response));
        ResponseFunctionToolCall call = onlyCall(response);
        assertEquals("toolu_01A09q90qw90lq917835lq9f", call.callId());
        assertEquals("get_weather", call.name());
        assertEquals("Paris", JsonPath.read(call.arguments(), "city"));
        assertEquals(412, response.usage().orElseThrow().inputTokens());
    }

    @Test
    void streamingAClaudeToolCallAccumulatesTextAndCall() {
        upstream.script(reply -> reply.full(200, "OK", "text/event-stream",
                Fixtures.bytes("anthropic/message-stream-tool-use.sse")));
        List<String> types = new ArrayList<>();
        Response response = streamed(params("claude-sonnet").addTool(WEATHER).build(), types);
        assertEquals("completed", types.get(types.size() - 1));
        assertEquals("I'll check the weather in Paris for you.", text(response));
        ResponseFunctionToolCall call = onlyCall(response);
        assertEquals("toolu_01T1x1fJ34qAmk2tNTrN7Up6", call.callId());
        assertEquals("celsius", JsonPath.read(call.arguments(), "unit"));
        assertEquals(89, response.usage().orElseThrow().outputTokens());
        assertEquals("claude-sonnet", response.model().asString());
    }

    @Test
    void streamingAGeminiFunctionCall() {
        upstream.script(reply -> reply.full(200, "OK", "text/event-stream",
                Fixtures.bytes("gemini/stream-generate-content-function-call.sse")));
        Response response = streamed(params("gemini-flash").addTool(WEATHER).build(), new ArrayList<>());
        ResponseFunctionToolCall call = onlyCall(response);
        assertEquals("get_weather", call.name());
        assertEquals(58, response.usage().orElseThrow().outputTokensDetails().reasoningTokens());
    }

    @Test
    void anOpenAiCompatibleServerAndTheMockAnswerText() {
        upstream.script(FakeUpstream.json("openai/chat-completion.json"));
        Response chat = client.responses().create(params("llama").build());
        chat.validate();
        assertEquals("The capital of France is Paris.", text(chat));
        List<String> types = new ArrayList<>();
        Response mock = streamed(params("demo").build(), types);
        assertEquals("completed", types.get(types.size() - 1));
        assertFalse(text(mock).isEmpty());
        assertTrue(mock.usage().orElseThrow().inputTokens() > 0);
    }
}
