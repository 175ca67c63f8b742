package dev.llmgateway.testutil;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The harness's HTTP/2 client cannot pass for HTTP/2 while it speaks HTTP/1.1. */
class GatewayHarnessTest {
    @Test
    void anAnswerOverHttp11FailsAHarnessAskedForHttp2() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start(ClientProtocol.HTTP_2, "http2 = false\n",
                GatewayHarness.mockConfig(""), Map.of())) {
            AssertionError fallback = assertThrows(AssertionError.class, () -> gateway.get("/health", null));
            assertTrue(fallback.getMessage().contains("over HTTP_1_1, not HTTP_2"), fallback.getMessage());
        }
    }

    @Test
    void anHttp2HarnessIsAnsweredOverHttp2() throws Exception {
        try (GatewayHarness gateway = GatewayHarness.start(ClientProtocol.HTTP_2, GatewayHarness.mockConfig(""))) {
            assertEquals(200, gateway.get("/health", null).statusCode());
        }
    }
}
