package dev.llmgateway.mock;

import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.OnBothClientProtocols;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in mock answers in OpenAI's wire format, streamed and not, through the normal relay. */
@OnBothClientProtocols
class MockProviderTest {
    @Parameter
    ClientProtocol protocol;

    private static GatewayHarness gateway;

    @BeforeParameterizedClassInvocation
    static void start(ClientProtocol protocol) throws Exception {
        gateway = GatewayHarness.start(protocol, """
                [[api_keys]]
                name = "tester"
                key = "%s"

                [providers.mock]
                type = "mock"
                tokens = 5
                token_delay = "2ms"

                [models."demo"]
                provider = "mock"
                api_model = "mock-1"

                [routing]
                default_provider = "mock"
                """.formatted(GatewayHarness.KEY));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        gateway.close();
    }

    @Test
    void nonStreamingAnswerHasContentUsageAndTheRequestedModel() throws Exception {
        HttpResponse<String> response = gateway.post("/v1/chat/completions",
                "{\"model\":\"demo\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}");
        assertEquals(200, response.statusCode());
        assertEquals("demo", JsonPath.read(response.body(), "model"));
        assertEquals("chat.completion", JsonPath.read(response.body(), "object"));
        assertEquals("assistant", JsonPath.read(response.body(), "choices", "0", "message", "role"));
        assertEquals("This is a streamed answer",
                JsonPath.read(response.body(), "choices", "0", "message", "content"));
        assertEquals("stop", JsonPath.read(response.body(), "choices", "0", "finish_reason"));
        assertEquals("5", JsonPath.read(response.body(), "usage", "completion_tokens"));
    }

    @Test
    void streamSendsRoleTokensFinishAndDone() throws Exception {
        HttpResponse<String> response = gateway.post("/v1/chat/completions",
                "{\"model\":\"anything\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
        List<String> data = response.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6))
                .toList();
        assertEquals(1 + 5 + 1 + 1, data.size(), response.body());
        assertEquals("assistant", JsonPath.read(data.get(0), "choices", "0", "delta", "role"));
        StringBuilder text = new StringBuilder();
        for (String chunk : data.subList(1, 6)) {
            assertEquals("anything", JsonPath.read(chunk, "model"));
            text.append(JsonPath.read(chunk, "choices", "0", "delta", "content"));
        }
        assertEquals("This is a streamed answer", text.toString());
        assertEquals("stop", JsonPath.read(data.get(6), "choices", "0", "finish_reason"));
        assertEquals("[DONE]", data.get(7));
        assertTrue(response.body().lines().noneMatch(l -> l.contains("\"usage\"")), "no usage unless asked for");
    }

    @Test
    void streamWithIncludeUsageEndsWithAUsageChunk() throws Exception {
        HttpResponse<String> response = gateway.post("/v1/chat/completions",
                "{\"model\":\"demo\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        List<String> data = response.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6))
                .toList();
        String usage = data.get(data.size() - 2);
        assertEquals("[array]", JsonPath.read(usage, "choices"));
        assertEquals(null, JsonPath.read(usage, "choices", "0"));
        assertEquals("5", JsonPath.read(usage, "usage", "completion_tokens"));
        assertEquals("null", JsonPath.read(data.get(1), "usage"));
    }

    @Test
    void endpointsTheMockDoesNotServeAre400() throws Exception {
        HttpResponse<String> response = gateway.post("/v1/embeddings", "{\"model\":\"demo\",\"input\":\"x\"}");
        assertEquals(400, response.statusCode());
        assertEquals("unsupported_endpoint", JsonPath.read(response.body(), "error", "code"));
    }
}
