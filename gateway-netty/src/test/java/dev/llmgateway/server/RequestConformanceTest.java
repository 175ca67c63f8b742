package dev.llmgateway.server;

import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.RawHttpClient;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 9112's rules for requests, against a real gateway in front of a provider that must never hear of a refused
 * request: Host (none on HTTP/1.1, two, or not a host → 400), the absolute-form target (accepted, routed by its
 * path), the version (HTTP/2.0 or 9.9 → 505; HTTP/1.0 and 1.x served), transfer codings (anything but chunked →
 * 501), a broken chunk line (400, not 414), a head or body over its limit, garbage, HTTP/1.0 and pipelining. Every
 * refusal has the client's shape where its path names an endpoint, the client's request id, and closes the
 * connection. HTTP/1.1 only: it writes HTTP/1.1's bytes by hand ({@code Http2DownstreamTest} has HTTP/2's framing).
 */
class RequestConformanceTest {
    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String ANTHROPIC = "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hi\"}]}";
    private static FakeUpstream upstream;
    private static GatewayHarness gateway;

    @BeforeAll
    static void start() throws Exception {
        upstream = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
        gateway = GatewayHarness.start(GatewayHarness.routedTo(upstream.baseUrl(), "[access_log]\nenabled = false"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    /** A POST of {@code body} with the given request line tail, extra header lines and framing lines. */
    private static String post(String target, String version, String headers, String body) {
        return "POST " + target + " " + version + "\r\n" + headers + "Authorization: Bearer " + GatewayHarness.KEY
                + "\r\nx-api-key: " + GatewayHarness.KEY + "\r\nanthropic-version: 2023-06-01"
                + "\r\nContent-Type: application/json\r\nx-request-id: conformance-1\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body;
    }

    private static RawHttpClient.Response refused(String request, int status) throws IOException {
        int before = upstream.received().size();
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response response = client.send(request).read();
            assertEquals(status, response.status(), response.body());
            assertEquals("conformance-1", response.headers().get("x-request-id"));
            assertEquals("close", response.headers().get("connection"));
            assertTrue(client.closedByServer(), "the connection closes after a refusal");
            assertEquals(before, upstream.received().size(), "nothing reached the provider");
            return response;
        }
    }

    private static void assertOpenAiError(RawHttpClient.Response response, String code) {
        assertEquals(code, JsonPath.read(response.body(), "error", "code"), response.body());
    }

    @Test
    void anHttp11RequestWithoutHostIs400() throws Exception {
        assertOpenAiError(refused(post("/v1/chat/completions", "HTTP/1.1", "", CHAT), 400), "malformed_request");
    }

    @Test
    void twoHostHeadersAre400() throws Exception {
        assertOpenAiError(refused(post("/v1/chat/completions", "HTTP/1.1", "Host: a\r\nHost: b\r\n", CHAT), 400),
                "malformed_request");
        // HTTP/1.0 may leave Host out, but not send two
        refused(post("/v1/chat/completions", "HTTP/1.0", "Host: a\r\nHost: a\r\n", CHAT), 400);
    }

    @Test
    void aHostThatIsNoHostIs400() throws Exception {
        refused(post("/v1/chat/completions", "HTTP/1.1", "Host: user@gateway\r\n", CHAT), 400);
        refused(post("/v1/chat/completions", "HTTP/1.1", "Host: gate way\r\n", CHAT), 400);
    }

    @Test
    void http10WithoutHostAndHttp11WithHostAreServed() throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response answer = client.send(post("/v1/chat/completions", "HTTP/1.0", "", CHAT)).read();
            assertEquals(200, answer.status(), answer.body());
        }
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response answer = client.send(post("/v1/chat/completions", "HTTP/1.1",
                    "Host: gateway:8080\r\n", CHAT)).read();
            assertEquals(200, answer.status(), answer.body());
            assertEquals("chat.completion", JsonPath.read(answer.body(), "object"));
        }
    }

    @Test
    void anAbsoluteFormTargetIsRoutedByItsPath() throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response answer = client.send(post("http://gateway/v1/chat/completions", "HTTP/1.1",
                    "Host: gateway\r\n", CHAT)).read();
            assertEquals(200, answer.status(), answer.body());
            assertEquals("/v1/chat/completions", upstream.last().uri());
            // the same connection goes on serving
            answer = client.send("GET HTTPS://Gateway:443/health?probe=1 HTTP/1.1\r\nHost: gateway\r\n\r\n")
                    .read();
            assertEquals(200, answer.status(), answer.body());
        }
    }

    @Test
    void anAbsoluteFormTargetIsTurnedIntoTheOriginForm() {
        HttpRequest withQuery = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "http://g:8080?x=1");
        withQuery.headers().set("host", "other");
        assertNull(RequestConformance.refusal(withQuery));
        assertEquals("/?x=1", withQuery.uri());
        assertEquals("g:8080", withQuery.headers().get("host"));

        HttpRequest withUser = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "http://u@g/health");
        withUser.headers().set("host", "g");
        assertEquals(400, RequestConformance.refusal(withUser).status().code());

        HttpRequest noAuthority = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "http:///health");
        noAuthority.headers().set("host", "g");
        assertEquals(400, RequestConformance.refusal(noAuthority).status().code());
    }

    @Test
    void anotherMajorVersionIs505InTheClientsShape() throws Exception {
        assertOpenAiError(refused(post("/v1/chat/completions", "HTTP/2.0", "Host: g\r\n", CHAT), 505),
                "http_version_not_supported");
        refused(post("/v1/chat/completions", "HTTP/9.9", "Host: g\r\n", CHAT), 505);
        RawHttpClient.Response anthropic = refused(post("/v1/messages", "HTTP/2.0", "Host: g\r\n", ANTHROPIC), 505);
        assertEquals("error", JsonPath.read(anthropic.body(), "type"), anthropic.body());
        assertEquals("conformance-1", anthropic.headers().get("request-id"));
    }

    @Test
    void aHigherMinorVersionIsServedAsHttp11() throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response answer = client.send("GET /health HTTP/1.2\r\nHost: g\r\n\r\n").read();
            assertEquals(200, answer.status(), answer.body());
        }
    }

    @Test
    void anUnknownTransferCodingIs501() throws Exception {
        String chunkedBody = Integer.toHexString(CHAT.length()) + "\r\n" + CHAT + "\r\n0\r\n\r\n";
        RawHttpClient.Response gzip = refused("POST /v1/chat/completions HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer "
                + GatewayHarness.KEY + "\r\nContent-Type: application/json\r\nx-request-id: conformance-1"
                + "\r\nTransfer-Encoding: gzip, chunked\r\n\r\n" + chunkedBody, 501);
        assertOpenAiError(gzip, "unsupported_transfer_encoding");
        assertTrue(gzip.body().contains("'gzip'"), gzip.body());
        // the codec alone calls this a 400 (the last coding is not chunked); it is a coding the gateway lacks
        assertOpenAiError(refused("POST /v1/chat/completions HTTP/1.1\r\nHost: g\r\nx-request-id: conformance-1"
                + "\r\nTransfer-Encoding: foo\r\n\r\n" + CHAT, 501), "unsupported_transfer_encoding");
        refused("POST /v1/messages HTTP/1.1\r\nHost: g\r\nx-request-id: conformance-1"
                + "\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n" + chunkedBody, 501);
    }

    @Test
    void aHugeChunkExtensionIs400NotA414() throws Exception {
        RawHttpClient.Response response = refused("POST /v1/chat/completions HTTP/1.1\r\nHost: g"
                + "\r\nAuthorization: Bearer " + GatewayHarness.KEY + "\r\nx-request-id: conformance-1"
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(CHAT.length()) + ";ext=" + "x".repeat(100 * 1024) + "\r\n" + CHAT
                + "\r\n0\r\n\r\n", 400);
        assertOpenAiError(response, "malformed_request");
    }

    @Test
    void requestsPipelinedAfterARefusalAreNeverServed() throws Exception {
        int before = upstream.received().size();
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            client.send(post("/v1/chat/completions", "HTTP/2.0", "Host: g\r\n", CHAT)
                    + post("/v1/chat/completions", "HTTP/1.1", "Host: g\r\n", CHAT));
            assertEquals(505, client.read().status());
            assertTrue(client.closedByServer());
        }
        assertEquals(before, upstream.received().size(), "the request after the refused one was not served");
    }

    @Test
    void bodyOverTheLimitIs413BeforeItIsRead() throws Exception {
        try (GatewayHarness small = GatewayHarness.start("max_request_bytes = 2048\n",
                GatewayHarness.openAiConfig(upstream.baseUrl(), "[routing]\ndefault_provider = \"up\"\n"), Map.of());
             RawHttpClient client = new RawHttpClient(small.port())) {
            client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer "
                    + GatewayHarness.KEY + "\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{");
            RawHttpClient.Response response = client.read();
            assertEquals(413, response.status(), response.body());
            assertOpenAiError(response, "request_too_large");
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void oversizedHeadersAre431AndGarbageIs400ThenClosed() throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            client.send("GET /health HTTP/1.1\r\nHost: g\r\nX-Big: " + "a".repeat(70_000) + "\r\n\r\n");
            assertEquals(431, client.read().status());
            assertTrue(client.closedByServer());
        }
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            client.send("\u0001\u0002 garbage garbage\r\n\r\n");
            assertEquals(400, client.read().status());
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void http10RequestIsAnsweredAndClosed() throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            RawHttpClient.Response health = client.send("GET /health HTTP/1.0\r\n\r\n").read();
            assertEquals(200, health.status());
            assertEquals("ok", JsonPath.read(health.body(), "status"));
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttpClient client = new RawHttpClient(gateway.port())) {
            client.send(RawHttpClient.post("/v1/chat/completions", GatewayHarness.KEY, CHAT)
                    + "GET /v1/nothing HTTP/1.1\r\nHost: g\r\n\r\n"
                    + "GET /health HTTP/1.1\r\nHost: g\r\n\r\n");
            assertEquals(200, client.read().status());
            assertEquals(404, client.read().status());
            assertEquals(200, client.read().status());
        }
    }
}
