package dev.llmgateway.dialect.openai;

import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.dialect.ErrorResponses;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.JsonPath;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OpenAI and OpenAI-compatible error responses as errors for an Anthropic client. */
class OpenAiErrorsTest {
    private static final HttpHeaders JSON = new DefaultHttpHeaders().set("content-type", "application/json");

    @Test
    void badRequestKeepsTypeCodeAndParam() {
        ApiError error = read(400, JSON, Fixtures.bytes("openai/error-400-context-length.json"));
        assertError(error, 400, "invalid_request_error", "context_length_exceeded", -1);
        assertEquals("messages", error.param());
        assertTrue(error.message().startsWith("This model's maximum context length is 128000 tokens."));
    }

    @Test
    void invalidKeyAndUnknownModelKeepTheirStatus() {
        assertError(read(401, JSON, Fixtures.bytes("openai/error-401-invalid-api-key.json")), 401,
                "invalid_request_error", "invalid_api_key", -1);
        ApiError missing = read(404, JSON, Fixtures.bytes("openai/error-404-model-not-found.json"));
        assertError(missing, 404, "invalid_request_error", "model_not_found", -1);
        assertNull(missing.param());
    }

    @Test
    void rateLimitTakesTheFinerRetryAfterMsRoundedUp() {
        HttpHeaders headers = new DefaultHttpHeaders().set("retry-after-ms", "45190").set("retry-after", "45");
        ApiError error = read(429, headers, Fixtures.bytes("openai/error-429-rate-limit.json"));
        assertError(error, 429, "tokens", "rate_limit_exceeded", 46);
        assertError(read(429, new DefaultHttpHeaders().set("retry-after", "20"),
                Fixtures.bytes("openai/error-429-rate-limit.json")), 429, "tokens", "rate_limit_exceeded", 20);
    }

    @Test
    void exhaustedQuotaIsABillingErrorForAnAnthropicClient() {
        ApiError error = read(429, JSON, Fixtures.bytes("openai/error-429-insufficient-quota.json"));
        assertError(error, 402, "insufficient_quota", "insufficient_quota", -1);
        FullHttpResponse response = ErrorResponses.response(PooledByteBufAllocator.DEFAULT, ClientDialect.ANTHROPIC,
                error, "req_1");
        try {
            assertEquals(402, response.status().code());
            String body = response.content().toString(StandardCharsets.UTF_8);
            assertEquals("billing_error", JsonPath.read(body, "error", "type"));
            assertTrue(JsonPath.read(body, "error", "message").startsWith("You exceeded your current quota"));
        } finally {
            response.release();
        }
    }

    @Test
    void serverErrorsWithANullCodeUseTheTypeAsCode() {
        assertError(read(500, JSON, Fixtures.bytes("openai/error-500-server-error.json")), 500, "server_error",
                "server_error", -1);
        ApiError overloaded = read(503, JSON, Fixtures.bytes("openai/error-503-overloaded.json"));
        assertError(overloaded, 503, "server_error", "server_error", -1);
        assertEquals("The engine is currently overloaded, please try again later", overloaded.message());
    }

    @Test
    void ollamaErrorWithNullParamAndCode() {
        ApiError error = read(404, JSON, Fixtures.bytes("ollama/error-404-model-not-found.json"));
        assertError(error, 404, "not_found_error", "not_found_error", -1);
        assertEquals("model \"llama9\" not found, try pulling it first", error.message());
    }

    @Test
    void vllmAndFastApiShapes() {
        ApiError vllm = read(400, JSON, ("{\"object\":\"error\",\"message\":\"This model's maximum context length is "
                + "4096 tokens.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}").getBytes());
        assertError(vllm, 400, "BadRequestError", "BadRequestError", -1);
        assertEquals("This model's maximum context length is 4096 tokens.", vllm.message());
        ApiError fastApi = read(404, JSON, "{\"detail\":\"Not Found\"}".getBytes());
        assertError(fastApi, 404, "invalid_request_error", null, -1);
        assertEquals("Not Found", fastApi.message());
        ApiError silent = read(500, JSON, "{}".getBytes());
        assertEquals("The provider reported an error (HTTP 500) without a message.", silent.message());
    }

    @Test
    void anEdgePageIsReportedAsNotJson() {
        String html = "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
                + "<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>cloudflare</center>"
                + "\r\n</body>\r\n</html>\r\n";
        ApiError error = read(503, new DefaultHttpHeaders().set("content-type", "text/html").set("retry-after", "5"),
                html.getBytes());
        assertError(error, 503, "server_error", null, 5);
        assertEquals("The provider answered HTTP 503 with a body that is not its API's error JSON (text/html): "
                + "503 Service Temporarily Unavailable", error.message());

        ApiError envoy = read(502, new DefaultHttpHeaders().set("content-type", "text/plain"),
                "upstream connect error or disconnect/reset before headers. reset reason: connection failure"
                        .getBytes());
        assertEquals("The provider answered HTTP 502 with a body that is not its API's error JSON (text/plain): upstream connect error "
                + "or disconnect/reset before headers. reset reason: connection failure", envoy.message());
        assertEquals("server_error", envoy.type());

        assertEquals("The provider answered HTTP 429 with an empty body.",
                read(429, new DefaultHttpHeaders(), new byte[0]).message());
        assertEquals("requests", read(429, new DefaultHttpHeaders(), new byte[0]).type());
    }

    @Test
    void heapBodiesReadTheSame() {
        byte[] json = Fixtures.bytes("openai/error-401-invalid-api-key.json");
        assertEquals(read(401, JSON, json), OpenAiErrors.read(401, JSON, Unpooled.wrappedBuffer(json)));
    }
    /** Reads from a direct buffer, as the network gives it, and leaves it to the caller. */
    private static ApiError read(int status, HttpHeaders headers, byte[] body) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(1, body.length)).writeBytes(body);
        try {
            ApiError error = OpenAiErrors.read(status, headers, buf);
            assertEquals(1, buf.refCnt(), "the body stays the caller's");
            assertEquals(body.length, buf.readableBytes(), "the body is not consumed");
            return error;
        } finally {
            buf.release();
        }
    }

    private static void assertError(ApiError error, int status, String type, String code, long retryAfter) {
        assertEquals(status, error.status().code(), error.toString());
        assertEquals(type, error.type(), error.toString());
        assertEquals(code, error.code(), error.toString());
        assertEquals(retryAfter, error.retryAfterSeconds(), error.toString());
    }

}
