package dev.llmgateway.upstream;

import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.config.GatewayConfig;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** What a provider is sent of the client's headers, and what the gateway puts in their place. */
class UpstreamRequestsTest {
    private static final GatewayConfig CONFIG = parse("""
            [[api_keys]]
            name = "test"
            key = "gw-test-0123456789abcdef"

            [providers.openai]
            type = "openai"
            base_url = "http://127.0.0.1:9/v1"
            api_keys = ["sk-openai"]

            [providers.anthropic]
            type = "anthropic"
            base_url = "http://127.0.0.1:9"
            api_keys = ["sk-ant"]
            """);

    private static GatewayConfig parse(String toml) {
        try {
            return ConfigLoader.parse(toml, "test.toml", Map.of());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpHeaders client() {
        return new DefaultHttpHeaders()
                .add("Host", "gateway.internal")
                .add("Authorization", "Bearer gw-client-key")
                .add("Content-Type", "application/json; charset=utf-8")
                .add("Content-Length", "999")
                .add("Connection", "keep-alive, X-Hop")
                .add("X-Hop", "connection-only")
                .add("Keep-Alive", "timeout=5")
                .add("Anthropic-Beta", "prompt-caching-2024-07-31")
                .add("X-Request-Id", "client-chosen")
                .add("OpenAI-Beta", "assistants=v2")
                .add("User-Agent", "OpenAI/Python 1.59.7");
    }

    private static FullHttpRequest build(String provider, HttpHeaders client) {
        return UpstreamRequests.build(new Provider(CONFIG.providers().get(provider)), "/v1/chat/completions", client,
                "req_1", Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8), "sk-sent");
    }

    @Test
    void anotherProviderGetsTheEndToEndHeadersAndTheGatewaysOwnOnce() {
        FullHttpRequest request = build("openai", client());
        try {
            HttpHeaders sent = request.headers();
            for (String dropped : List.of("connection", "x-hop", "keep-alive", "anthropic-beta", "anthropic-version")) {
                assertNull(sent.get(dropped), dropped);
            }
            assertEquals("assistants=v2", sent.get("openai-beta"));
            assertEquals("OpenAI/Python 1.59.7", sent.get("user-agent"));
            assertEquals(List.of("127.0.0.1:9"), sent.getAll("host"));
            assertEquals(List.of("Bearer sk-sent"), sent.getAll("authorization"));
            assertEquals(List.of("application/json"), sent.getAll("content-type"));
            assertEquals(List.of("2"), sent.getAll("content-length"));
            assertEquals(List.of("identity"), sent.getAll("accept-encoding"));
            assertEquals(List.of("req_1"), sent.getAll("x-request-id"));
        } finally {
            request.release();
        }
    }

    @Test
    void anAnthropicProviderKeepsAnthropicsHeadersAndGetsAVersionWhenTheClientSentNone() {
        FullHttpRequest request = build("anthropic", client());
        try {
            HttpHeaders sent = request.headers();
            assertEquals("prompt-caching-2024-07-31", sent.get("anthropic-beta"));
            assertEquals(List.of(CONFIG.providers().get("anthropic").anthropicVersion()),
                    sent.getAll("anthropic-version"));
            assertEquals(List.of("sk-sent"), sent.getAll("x-api-key"));
            assertNull(sent.get("authorization"));
            assertNull(sent.get("x-hop"), "named by Connection");
        } finally {
            request.release();
        }

        FullHttpRequest versioned = build("anthropic", client().add("anthropic-version", "2023-01-01"));
        try {
            assertEquals(List.of("2023-01-01"), versioned.headers().getAll("anthropic-version"));
        } finally {
            versioned.release();
        }
    }
}
