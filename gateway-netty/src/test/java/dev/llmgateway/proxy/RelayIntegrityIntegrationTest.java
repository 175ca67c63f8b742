package dev.llmgateway.proxy;

import dev.llmgateway.testutil.ClientProtocol;
import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.OnBothClientProtocols;
import dev.llmgateway.testutil.SseEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the relays forward, end to end through a real gateway and a fake provider on loopback: a provider that
 * echoes the key it was sent never shows it to the client (pass-through, held for a retry, translated, inside a
 * successful stream); usage the
 * client did not ask for stays out of a stream whatever the provider's JSON whitespace; a provider's garbage in a
 * stream ends it with the client's error event, never with {@code [DONE]}.
 */
@OnBothClientProtocols
class RelayIntegrityIntegrationTest {
    @Parameter
    ClientProtocol protocol;

    /** An OpenAI project key's shape; masked as OpenAI masks it. */
    private static final String PROVIDER_KEY = "sk-proj-Echo0123456789abcdefghijWXYZ";
    private static final String MASKED = "sk-pro...WXYZ";
    private static final String CHAT = "{\"model\":\"fast\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM_CHAT = "{\"model\":\"fast\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private FakeUpstream upstream;
    private GatewayHarness gateway;

    @BeforeEach
    void start() throws Exception {
        upstream = new FakeUpstream(FakeUpstream.json("openai/chat-completion.json"));
        gateway = GatewayHarness.start(protocol, """
                [[api_keys]]
                name = "tester"
                key = "%s"

                [providers.up]
                type = "openai_compatible"
                base_url = "%s"
                api_keys = ["%s"]
                max_attempts = 2
                max_retry_delay = "50ms"

                [models."fast"]
                provider = "up"
                api_model = "up-model"
                """.formatted(GatewayHarness.KEY, upstream.baseUrl(), PROVIDER_KEY));
    }

    @AfterEach
    void stop() {
        gateway.close();
        upstream.close();
    }

    /**
     * What a compatible server that echoes the key whole answers, its body cut inside the key. Not a 401 or 403:
     * the gateway answers those itself, without the provider's words.
     */
    private static FakeUpstream.Script echoingTheKey(int status, String reason) {
        String body = "{\"error\":{\"message\":\"Incorrect API key provided: " + PROVIDER_KEY + ".\","
                + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}";
        int cut = body.indexOf(PROVIDER_KEY) + 9;
        return reply -> {
            reply.head(status, reason, true, "content-type", "application/json",
                    "x-echoed-authorization", "Bearer " + PROVIDER_KEY);
            reply.body(body.substring(0, cut));
            reply.body(body.substring(cut));
            reply.end();
        };
    }

    @Test
    void aProviderErrorEchoingItsKeyReachesTheClientMaskedInBodyAndHeaders() throws Exception {
        upstream.script(echoingTheKey(400, "Bad Request"));

        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);

        assertEquals(400, response.statusCode());
        assertFalse(response.body().contains(PROVIDER_KEY), response.body());
        assertEquals("Incorrect API key provided: " + MASKED + ".", JsonPath.read(response.body(), "error", "message"));
        assertEquals("Bearer " + MASKED, response.headers().firstValue("x-echoed-authorization").orElseThrow());
        assertEquals(String.valueOf(response.body().length()),
                response.headers().firstValue("content-length").orElseThrow());
    }

    @Test
    void aRetriedErrorPassedOnAtLastIsMaskedToo() throws Exception {
        upstream.script(echoingTheKey(503, "Service Unavailable"));

        HttpResponse<String> response = gateway.post("/v1/chat/completions", CHAT);

        assertEquals(503, response.statusCode());
        assertEquals("2", response.headers().firstValue("x-gateway-attempts").orElseThrow(), "held, then passed on");
        assertFalse(response.body().contains(PROVIDER_KEY), response.body());
        assertTrue(response.body().contains(MASKED), response.body());
    }

    @Test
    void aTranslatedProviderErrorEchoingItsKeyReachesAnAnthropicClientMasked() throws Exception {
        upstream.script(echoingTheKey(400, "Bad Request"));

        HttpResponse<String> response = gateway.post("/v1/messages",
                "{\"model\":\"fast\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertEquals(400, response.statusCode());
        assertEquals("error", JsonPath.read(response.body(), "type"));
        assertFalse(response.body().contains(PROVIDER_KEY), response.body());
        assertEquals("Incorrect API key provided: " + MASKED + ".", JsonPath.read(response.body(), "error", "message"));
    }

    @Test
    void aStreamEventQuotingTheSentKeyReachesTheClientMasked() throws Exception {
        String event = "data: {\"id\":\"c1\",\"model\":\"up-model\",\"choices\":[{\"index\":0,\"delta\":"
                + "{\"content\":\"you sent " + PROVIDER_KEY + "\"}}]}\n\n";
        upstream.script(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            int cut = event.indexOf(PROVIDER_KEY) + 5;
            reply.body(event.substring(0, cut));
            reply.body(event.substring(cut) + "data: [DONE]\n\n");
            reply.end();
        });

        HttpResponse<String> response = gateway.post("/v1/chat/completions", STREAM_CHAT);

        assertEquals(event.replace(PROVIDER_KEY, MASKED).replace("up-model", "fast") + "data: [DONE]\n\n",
                response.body());
    }

    @Test
    void spacedUsageTheClientDidNotAskForStaysOutOfTheStream() throws Exception {
        String chunk = "data: {\"id\": \"c1\", \"object\": \"chat.completion.chunk\", \"model\": \"up-model\", "
                + "\"choices\": [{\"index\": 0, \"delta\": {\"content\": \"Hi\"}, \"finish_reason\": null}], "
                + "\"usage\": null}\n\n";
        String usage = "data: {\"id\": \"c1\", \"object\": \"chat.completion.chunk\", \"model\": \"up-model\", "
                + "\"choices\": [], \"usage\": {\"prompt_tokens\": 5, \"completion_tokens\": 1, "
                + "\"total_tokens\": 6}}\n\n";
        String stream = chunk + usage + "data: [DONE]\n\n";
        upstream.script(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            // Cut inside "usage": null and inside "choices": [].
            int first = stream.indexOf("\"usage\": null") + 10;
            int second = stream.indexOf("\"choices\": []") + 12;
            reply.body(stream.substring(0, first));
            reply.body(stream.substring(first, second));
            reply.body(stream.substring(second));
            reply.end();
        });

        HttpResponse<String> response = gateway.post("/v1/chat/completions", STREAM_CHAT);

        assertEquals(200, response.statusCode());
        assertTrue(JsonPath.read(upstream.last().body(), "stream_options", "include_usage").equals("true"),
                "the gateway asks for the usage it counts");
        assertEquals(chunk.replace(", \"usage\": null", "").replace("up-model", "fast") + "data: [DONE]\n\n",
                response.body());
    }

    @Test
    void invalidUtf8InAnEventTheRelayParsesEndsTheStreamWithAnErrorEventNotDone() throws Exception {
        byte[] bad = ("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"up-model\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\u00ff\"}}]}\n\ndata: [DONE]\n\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        upstream.script(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            reply.body(bad);
            reply.end();
        });

        HttpResponse<String> response = gateway.postAlone("/v1/chat/completions", STREAM_CHAT);

        assertEquals(200, response.statusCode());
        List<String> data = SseEvents.data(response.body());
        assertEquals(1, data.size(), response.body());
        assertEquals("upstream_error", JsonPath.read(data.get(0), "error", "code"));
        assertFalse(response.body().contains("[DONE]"));
    }

    @Test
    void aTruncatedEventEndsTheStreamWithAnErrorEventNotDone() throws Exception {
        String good = "data: {\"id\":\"c1\",\"model\":\"up-model\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                + "\"a\"}}]}\n\n";
        String cut = "data: {\"id\":\"c1\",\"model\":\"up-model\",\"choices\":[{\"index\":0,\"delta\":"
                + "{\"content\":\n\n";
        upstream.script(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            reply.body(good + cut + good + "data: [DONE]\n\n");
            reply.end();
        });

        HttpResponse<String> response = gateway.postAlone("/v1/chat/completions", STREAM_CHAT);

        List<String> data = SseEvents.data(response.body());
        assertEquals(2, data.size(), response.body());
        assertEquals("fast", JsonPath.read(data.get(0), "model"));
        assertEquals("upstream_error", JsonPath.read(data.get(1), "error", "code"));
        assertFalse(response.body().contains("[DONE]"));
    }
}
