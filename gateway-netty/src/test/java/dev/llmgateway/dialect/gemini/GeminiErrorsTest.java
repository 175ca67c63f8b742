package dev.llmgateway.dialect.gemini;

import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.testutil.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeminiErrorsTest {
    @Test
    void badApiKeyIsUnauthorized() {
        ApiError error = read(400, Fixtures.bytes("gemini/error-400-api-key-invalid.json"));
        assertError(error, 401, "invalid_request_error", "invalid_api_key",
                "API key not valid. Please pass a valid API key.", -1);
    }

    @Test
    void invalidArgument() {
        assertError(read(400, Fixtures.bytes("gemini/error-400-invalid-argument.json")), 400, "invalid_request_error",
                "INVALID_ARGUMENT", "* GenerateContentRequest.contents: contents is not specified\n", -1);
    }

    @Test
    void resourceExhaustedIsARateLimitWithRetryInfo() {
        assertError(read(429, Fixtures.bytes("gemini/error-429-resource-exhausted.json")), 429, "requests",
                "rate_limit_exceeded", "You exceeded your current quota, please check your plan and billing "
                        + "details. For more information on this error, head to: "
                        + "https://ai.google.dev/gemini-api/docs/rate-limits.", 34);
    }

    @Test
    void serverErrors() {
        assertError(read(500, Fixtures.bytes("gemini/error-500-internal.json")), 500, "server_error", "INTERNAL",
                "An internal error has occurred. Please retry or report in "
                        + "https://developers.generativeai.google/guide/troubleshooting", -1);
        assertError(read(503, Fixtures.bytes("gemini/error-503-unavailable.json")), 503, "server_error",
                "UNAVAILABLE", "The model is overloaded. Please try again later.", -1);
        assertError(read(504, json(504, "Deadline expired before operation could complete.", "DEADLINE_EXCEEDED")),
                504, "server_error", "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.", -1);
    }

    @Test
    void permissionAndNotFound() {
        assertError(read(403, json(403, "Method doesn't allow unregistered callers.", "PERMISSION_DENIED")), 403,
                "permission_error", "PERMISSION_DENIED", "Method doesn't allow unregistered callers.", -1);
        ApiError notFound = read(404, json(404,
                "models/gemini-9 is not found for API version v1beta, or is not supported for generateContent.",
                "NOT_FOUND"));
        assertError(notFound, 404, "invalid_request_error", "model_not_found",
                "models/gemini-9 is not found for API version v1beta, or is not supported for generateContent.", -1);
        assertEquals("model", notFound.param());
    }

    @Test
    void fractionalRetryDelayRoundsUp() {
        byte[] body = ("{\"error\": {\"code\": 429, \"message\": \"slow down\", \"status\": \"RESOURCE_EXHAUSTED\","
                + "\"details\": [{\"@type\": \"type.googleapis.com/google.rpc.RetryInfo\","
                + "\"retryDelay\": \"1.2s\"}]}}").getBytes(StandardCharsets.UTF_8);
        assertEquals(2, read(429, body).retryAfterSeconds());
        assertEquals(34, GeminiErrors.durationSeconds("34s"));
        assertEquals(1, GeminiErrors.durationSeconds("0.000001s"));
        assertEquals(0, GeminiErrors.durationSeconds("0s"));
        assertEquals(-1, GeminiErrors.durationSeconds("34"));
        assertEquals(-1, GeminiErrors.durationSeconds("-3s"));
        assertEquals(-1, GeminiErrors.durationSeconds("soons"));
    }

    @Test
    void retryAfterHeaderWhenThereIsNoRetryInfo() {
        HttpHeaders headers = new DefaultHttpHeaders().set(HttpHeaderNames.RETRY_AFTER, "12");
        assertEquals(12, read(429, headers, json(429, "Resource has been exhausted.", "RESOURCE_EXHAUSTED"))
                .retryAfterSeconds());
    }

    @Test
    void errorWrappedInAnArray() {
        byte[] body = ("[{\"error\": {\"code\": 400, \"message\": \"bad\", \"status\": \"INVALID_ARGUMENT\"}}]")
                .getBytes(StandardCharsets.UTF_8);
        assertError(read(400, body), 400, "invalid_request_error", "INVALID_ARGUMENT", "bad", -1);
    }

    @Test
    void nonJsonBodySaysSo() {
        HttpHeaders headers = new DefaultHttpHeaders().set(HttpHeaderNames.CONTENT_TYPE, "text/html");
        ApiError error = read(503, headers, "<html><body>503 Service Unavailable</body></html>"
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(503, error.status().code());
        assertEquals("server_error", error.type());
        assertNull(error.code());
        assertTrue(error.message().contains("not its API's error JSON (text/html"), error.message());
        ApiError other = read(502, "{\"message\": \"no error member\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(502, other.status().code());
        assertTrue(other.message().contains("not its API's error JSON"), other.message());
    }

    @Test
    void bodyIsOnlyBorrowed() {
        byte[] bytes = Fixtures.bytes("gemini/error-503-unavailable.json");
        ByteBuf body = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
        try {
            GeminiErrors.read(503, EmptyHttpHeaders.INSTANCE, body);
            assertEquals(1, body.refCnt());
            assertEquals(0, body.readerIndex());
            assertEquals(bytes.length, body.readableBytes());
        } finally {
            body.release();
        }
    }

    private static void assertError(ApiError error, int status, String type, String code, String message,
                                    long retryAfter) {
        assertEquals(status, error.status().code());
        assertEquals(type, error.type());
        assertEquals(code, error.code());
        assertEquals(message, error.message());
        assertEquals(retryAfter, error.retryAfterSeconds());
    }

    private static byte[] json(int code, String message, String status) {
        return ("{\"error\": {\"code\": " + code + ", \"message\": \"" + message + "\", \"status\": \"" + status
                + "\"}}").getBytes(StandardCharsets.UTF_8);
    }

    private static ApiError read(int status, byte[] body) {
        return read(status, EmptyHttpHeaders.INSTANCE, body);
    }

    private static ApiError read(int status, HttpHeaders headers, byte[] body) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(body.length).writeBytes(body);
        try {
            return GeminiErrors.read(status, headers, buf);
        } finally {
            buf.release();
        }
    }
}
