package dev.llmgateway.dialect.anthropic;

import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.testutil.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnthropicErrorsTest {
    @Test
    void overloadedKeepsItsStatusAndOpenAiClientsSeeA503() {
        ApiError error = read(529, new DefaultHttpHeaders(), Fixtures.bytes("anthropic/error-529-overloaded.json"));
        assertEquals(529, error.status().code());
        assertEquals(503, ClientDialect.OPENAI.status(error).code());
        assertEquals("server_error", error.type());
        assertEquals("overloaded_error", error.code());
        assertEquals("Overloaded", error.message());
    }

    @Test
    void rateLimitCarriesRetryAfter() {
        ApiError error = read(429, new DefaultHttpHeaders().set("retry-after", "15"),
                Fixtures.bytes("anthropic/error-429-rate-limit.json"));
        assertEquals(429, error.status().code());
        assertEquals("requests", error.type());
        assertEquals("rate_limit_exceeded", error.code());
        assertEquals(15, error.retryAfterSeconds());
        assertTrue(error.message().startsWith("This request would exceed the rate limit"));
    }

    @Test
    void authenticationAndOtherTypes() {
        ApiError auth = read(401, new DefaultHttpHeaders(), Fixtures.bytes("anthropic/error-401-authentication.json"));
        assertEquals(401, auth.status().code());
        assertEquals("invalid_api_key", auth.code());
        ApiError invalid = read(400, new DefaultHttpHeaders(),
                Fixtures.bytes("anthropic/error-400-invalid-request.json"));
        assertEquals("invalid_request_error", invalid.type());
        assertEquals("invalid_request_error", invalid.code());
        ApiError server = read(500, new DefaultHttpHeaders(), Fixtures.bytes("anthropic/error-500-api-error.json"));
        assertEquals("server_error", server.type());
        assertEquals("api_error", server.code());
        ApiError notFound = read(404, new DefaultHttpHeaders(), Fixtures.bytes("anthropic/error-404-not-found.json"));
        assertEquals(404, notFound.status().code());
        assertEquals("not_found_error", notFound.code());
    }

    @Test
    void aBodyThatIsNotJsonSaysSo() {
        ApiError error = read(503, new DefaultHttpHeaders(),
                "<html><body>503 Service Temporarily Unavailable</body></html>".getBytes(StandardCharsets.UTF_8));
        assertEquals(503, error.status().code());
        assertTrue(error.message().contains("not its API's error JSON"), error.message());
    }

    private static ApiError read(int status, HttpHeaders headers, byte[] body) {
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        try {
            return AnthropicErrors.read(status, headers, buf);
        } finally {
            buf.release();
        }
    }
}
