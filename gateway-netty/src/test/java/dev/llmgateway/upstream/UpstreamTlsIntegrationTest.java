package dev.llmgateway.upstream;

import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.TestCertificates;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Providers on https through the gateway, over real TLS with the tests' own CA: both engines serve, the provider's
 * chain and host name are verified (a refusal is the client's 502, promptly), and a new connection resumes the
 * session of an earlier one.
 */
@Timeout(60)
class UpstreamTlsIntegrationTest {
    private static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM_CHAT = "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String TRUST_TEST_CA = "ca_file = \"" + TestCertificates.ca().certFile() + "\"";

    private FakeUpstream upstream;
    private GatewayHarness gateway;

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    /** The provider side runs OpenSSL whichever engine the gateway uses, so that it can tell resumed handshakes. */
    private void start(TestCertificates.Issued certificate, FakeUpstream.Script script, String engine,
                       String providerLines) throws Exception {
        SslContext server = SslContextBuilder.forServer(certificate.key(), certificate.chain())
                .sslProvider(SslProvider.OPENSSL).build();
        upstream = new FakeUpstream(script, server);
        gateway = GatewayHarness.start("tls_engine = \"" + engine + "\"\n",
                GatewayHarness.routedTo(upstream.baseUrl(), "").replace("api_keys = [\"sk-upstream-secret\"]",
                        "api_keys = [\"sk-upstream-secret\"]\n" + providerLines), Map.of());
    }

    private static void ok(FakeUpstream.Reply reply) {
        reply.full(200, "OK", "application/json", Fixtures.bytes("openai/chat-completion.json"));
    }

    /** The fixture stream in pieces cut mid-event, each its own chunk and TLS record. */
    private static void stream(FakeUpstream.Reply reply) {
        byte[] sse = Fixtures.bytes("openai/chat-completion-stream.sse");
        reply.head(200, "OK", true, "content-type", "text/event-stream");
        int[] cuts = {0, 7, sse.length / 3, sse.length / 2 + 1, sse.length};
        for (int i = 1; i < cuts.length; i++) {
            reply.body(Arrays.copyOfRange(sse, cuts[i - 1], cuts[i]));
        }
        reply.end();
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void anHttpsProviderServesWholeAndStreamedAnswersThroughEitherEngine(String engine) throws Exception {
        start(TestCertificates.localhost(), UpstreamTlsIntegrationTest::ok, engine, TRUST_TEST_CA);

        HttpResponse<String> whole = gateway.post("/v1/chat/completions", CHAT);
        assertEquals(200, whole.statusCode(), whole.body());
        assertEquals("The capital of France is Paris.",
                JsonPath.read(whole.body(), "choices", "0", "message", "content"));

        upstream.script(UpstreamTlsIntegrationTest::stream);
        HttpResponse<String> streamed = gateway.post("/v1/chat/completions", STREAM_CHAT);
        assertEquals(200, streamed.statusCode(), streamed.body());
        assertTrue(streamed.body().trim().endsWith("data: [DONE]"), streamed.body());
        assertTrue(streamed.body().contains("{\"content\":\" Paris\"}")
                && streamed.body().contains("\"finish_reason\":\"stop\""), "the events across the cuts: " + streamed.body());

        assertEquals(1, upstream.handshakes(), "both requests on one kept-alive TLS connection");
        assertEquals("127.0.0.1:" + upstream.port(), upstream.last().headers().get("host"));
    }

    @Test
    void withoutCaFileTheJvmTrustStoreDecidesAndDoesNotTrustTheTestCa() throws Exception {
        start(TestCertificates.localhost(), UpstreamTlsIntegrationTest::ok, "openssl", "");

        assertRefused(gateway.post("/v1/chat/completions", CHAT));
    }

    @Test
    void aProviderCertificateFromAnotherCaIsRefusedInEachClientsShape() throws Exception {
        start(TestCertificates.untrusted(), UpstreamTlsIntegrationTest::ok, "openssl", TRUST_TEST_CA);

        assertRefused(gateway.post("/v1/chat/completions", CHAT));

        long started = System.nanoTime();
        HttpResponse<String> anthropic = gateway.client().send(gateway.request("/v1/messages")
                .header("x-api-key", GatewayHarness.KEY)
                .header("anthropic-version", "2023-06-01")
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"max_tokens\":16,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(502, anthropic.statusCode(), anthropic.body());
        assertEquals("error", JsonPath.read(anthropic.body(), "type"), anthropic.body());
        assertTrue(JsonPath.read(anthropic.body(), "error", "message").contains("'up'"), anthropic.body());
        assertTrue(System.nanoTime() - started < 4_000_000_000L, "refused at the handshake, not after a timeout");
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aCertificateForAnotherHostIsRefusedThoughItsCaIsTrusted(String engine) throws Exception {
        start(TestCertificates.wrongHost(), UpstreamTlsIntegrationTest::ok, engine, TRUST_TEST_CA);

        assertRefused(gateway.post("/v1/chat/completions", CHAT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aNewConnectionResumesTheProvidersTlsSession(String engine) throws Exception {
        start(TestCertificates.localhost(), reply -> {
            reply.full(200, "OK", "application/json", Fixtures.bytes("openai/chat-completion.json"),
                    "connection", "close");
            reply.close();
        }, engine, TRUST_TEST_CA);

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = gateway.postAlone("/v1/chat/completions", CHAT);
            assertEquals(200, response.statusCode(), response.body());
        }

        assertEquals(3, upstream.handshakes(), "each answer closed its connection");
        assertEquals(2, upstream.resumedHandshakes(), "every handshake after the first resumed a session");
    }

    /** Refused at the handshake: the client's 502 in its own shape, naming the provider, and nothing was sent. */
    private void assertRefused(HttpResponse<String> response) {
        assertEquals(502, response.statusCode(), response.body());
        assertEquals("upstream_unreachable", JsonPath.read(response.body(), "error", "code"), response.body());
        assertTrue(JsonPath.read(response.body(), "error", "message").contains("'up'"), response.body());
        assertTrue(upstream.failedHandshakes() >= 1, "the provider saw the handshake fail");
        assertEquals(0, upstream.received().size(), "no request crossed an unverified connection");
    }
}
