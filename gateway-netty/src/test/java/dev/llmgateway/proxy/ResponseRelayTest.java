package dev.llmgateway.proxy;

import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.json.JsonSpans;
import dev.llmgateway.testutil.ClientResponse;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.SseEvents;
import dev.llmgateway.testutil.UpstreamMessages;
import dev.llmgateway.tracing.AttemptTrace;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ResponseRelay} (docs/ARCHITECTURE.md §5) on a client EmbeddedChannel: a stream's events with the model
 * spliced and usage hidden, whatever bytes the reads split at, one chunk and one flush per read; a body gathered and
 * sent whole, or relayed unchanged past the limit; anything else passed through as it came.
 */
class ResponseRelayTest {
    private static final String CHAT_STREAM = "{\"model\":\"fast\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String SSE = "text/event-stream";
    private static final String JSON = "application/json";
    private static final String USAGE_NULL = ",\"usage\":null";
    /** The key RelayClient's provider "up" is configured with. */
    private static final String PROVIDER_KEY = "sk-upstream-secret";

    private final RelayClient client = new RelayClient();
    private final EmbeddedChannel downstream = client.downstream;

    @AfterEach
    void endTheExchange() {
        client.close();
    }

    private ResponseRelay relay(String path, String request, boolean hidesUsage) {
        Exchange exchange = client.exchange(path, request);
        return new ResponseRelay(exchange, hidesUsage, client.keyMasks(), AttemptTrace.OFF, client.ended,
                client.broken);
    }

    private ResponseRelay chatRelay(boolean hidesUsage) {
        return relay("/v1/chat/completions", CHAT_STREAM, hidesUsage);
    }

    private static String chunk(String model, String content) {
        return "data: {\"id\":\"c1\",\"model\":\"" + model + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
                + content + "\"}}]" + USAGE_NULL + "}\n\n";
    }

    private static String crlf(String event) {
        return event.replace("\n", "\r\n");
    }

    @Test
    void oneReadOfManyEventsGoesOutAsOneChunkAndOneFlushWithEachModelSpliced() {
        ResponseRelay relay = chatRelay(false);
        relay.head(UpstreamMessages.head(200, SSE));
        HttpContent read = UpstreamMessages.content(chunk("up-model", "a") + chunk("up-model", "b")
                + ": keep-alive comment\n\n" + chunk("fast", "c"));
        relay.content(read);
        relay.readComplete();

        assertEquals(1, client.flushes.take());
        assertEquals(0, read.refCnt());
        ClientResponse response = client.read();
        assertEquals(200, response.status());
        assertEquals(List.of(chunk("fast", "a") + chunk("fast", "b") + ": keep-alive comment\n\n"
                + chunk("fast", "c")), response.chunks());

        relay.content(UpstreamMessages.last("data: [DONE]\n\n"));
        ClientResponse end = client.read();
        assertEquals("data: [DONE]\n\n", end.body());
        assertTrue(end.ended());
        assertEquals(Boolean.TRUE, client.endedReusable());
    }

    @Test
    void aProvidersChunksOfOneReadGoOutAsOneChunkAndOneFlush() {
        ResponseRelay relay = chatRelay(false);
        relay.head(UpstreamMessages.head(200, SSE));
        // A provider sends each event as a chunk of its own: the codec hands in one piece per chunk of the read.
        relay.content(UpstreamMessages.content(chunk("up-model", "a")));
        relay.content(UpstreamMessages.content(chunk("up-model", "b")));
        relay.content(UpstreamMessages.content(chunk("up-model", "c")));
        relay.readComplete();

        assertEquals(1, client.flushes.take());
        assertEquals(List.of(chunk("fast", "a") + chunk("fast", "b") + chunk("fast", "c")), client.read().chunks());
        relay.content(UpstreamMessages.last("data: [DONE]\n\n"));
        assertTrue(client.read().ended());
    }

    @Test
    void usageTheClientDidNotAskForIsTakenOutWhereverTheReadsSplit() {
        String usage = "data: {\"id\":\"c1\",\"model\":\"up-model\",\"choices\":[],"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n";
        String stream = chunk("up-model", "Hel") + crlf(chunk("up-model", "lo")) + usage + "data: [DONE]\n\n";
        String expected = (chunk("fast", "Hel") + crlf(chunk("fast", "lo"))).replace(USAGE_NULL, "")
                + "data: [DONE]\n\n";
        assertUsageHiddenWhereverTheReadsSplit(stream, expected);
    }

    /** {@code stream} in two reads cut at every byte: the client gets {@code expected}, 5 in and 2 out counted. */
    private void assertUsageHiddenWhereverTheReadsSplit(String stream, String expected) {
        for (int split = 1; split < stream.length(); split++) {
            ResponseRelay relay = chatRelay(true);
            relay.head(UpstreamMessages.head(200, SSE));
            relay.content(UpstreamMessages.content(stream.substring(0, split)));
            relay.content(UpstreamMessages.last(stream.substring(split)));

            String at = "split at " + split + ": ";
            assertNull(client.brokenReason(), at);
            assertEquals(expected, client.read().body(), at);
            assertEquals(5, client.exchange().usage().input(), at);
            assertEquals(2, client.exchange().usage().output(), at);
        }
    }

    /** Python's json.dumps separators (", " and ": "), as several OpenAI-compatible servers write their events. */
    private static String spacedChunk(String model, String content) {
        return "data: {\"id\": \"c1\", \"object\": \"chat.completion.chunk\", \"model\": \"" + model
                + "\", \"choices\": [{\"index\": 0, \"delta\": {\"content\": \"" + content
                + "\"}, \"finish_reason\": null}], \"usage\": null}\n\n";
    }

    @Test
    void usageTheClientDidNotAskForIsTakenOutOfSpacedJsonWhereverTheReadsSplit() {
        String firstMember = "data: {\"usage\" :\tnull ,\t \"id\": \"c1\", \"model\": \"up-model\", \"choices\": "
                + "[{\"index\": 0, \"delta\": {\"content\": \"!\"}}]}\n\n";
        String onlyMember = "data: { \"usage\": null }\n\n";
        String usage = "data: {\"id\": \"c1\", \"model\": \"up-model\", \"choices\" : [ ], "
                + "\"usage\": {\"prompt_tokens\": 5, \"completion_tokens\": 2, \"total_tokens\": 7}}\n\n";
        String stream = spacedChunk("up-model", "Hel") + crlf(spacedChunk("up-model", "lo")) + firstMember
                + onlyMember + usage + "data: [DONE]\n\n";
        String expected = (spacedChunk("fast", "Hel") + crlf(spacedChunk("fast", "lo")))
                .replace(", \"usage\": null", "")
                + "data: {\"id\": \"c1\", \"model\": \"fast\", \"choices\": "
                + "[{\"index\": 0, \"delta\": {\"content\": \"!\"}}]}\n\n"
                + "data: {  }\n\n"
                + "data: [DONE]\n\n";
        assertUsageHiddenWhereverTheReadsSplit(stream, expected);
    }

    @Test
    void spacedUsageIsLeftAloneWhenTheClientAskedForIt() {
        String usage = "data: {\"id\": \"c1\", \"model\": \"up-model\", \"choices\": [], "
                + "\"usage\": {\"prompt_tokens\": 5, \"completion_tokens\": 2}}\n\n";
        String stream = spacedChunk("up-model", "Hi") + usage + "data: [DONE]\n\n";
        ResponseRelay relay = chatRelay(false);
        relay.head(UpstreamMessages.head(200, SSE));
        relay.content(UpstreamMessages.last(stream));
        assertEquals(stream.replace("up-model", "fast"), client.read().body());
        assertEquals(2, client.exchange().usage().output());
    }

    /**
     * Garbage a provider may send inside a stream that would otherwise end with {@code [DONE]}, each with the
     * reason the relay gives: events that are no JSON object (by their first and last bytes, checked on every
     * event), and events the relay parses anyway, validated whole — one whose leading bytes differ from the event
     * before (parsed for its model), and one carrying usage (its usage object).
     */
    static Stream<Arguments> garbageInAStream() {
        return Stream.of(
                Arguments.of("data: {\"id\":\"c1\",\"model\":\"up-model\",\"choices\":[{\"delta\":{}}]\n\n",
                        "malformed event: not a JSON object"),
                Arguments.of("data: garbage\n\n", "malformed event: not a JSON object"),
                Arguments.of("data: {\"id\":\"c2\",\"model\":\"up-model\",\"choices\":[],}\n\n", "malformed event"),
                Arguments.of("data: {\"id\":\"c2\",\"model\":\"up-model\"} {}\n\n", "malformed event"),
                Arguments.of("data: {\"id\":\"c2\",\"model\":\"up-model\",\"choices\":[{\"delta\":"
                        + "{\"content\":\"\u00ff\"}}]}\n\n", "malformed event"),
                Arguments.of("data: {\"id\":\"c1\",\"model\":\"up-model\",\"choices\":[],"
                        + "\"usage\":{\"prompt_tokens\":5,,\"completion_tokens\":2}}\n\n", "malformed event"));
    }

    /**
     * The garbage event follows a good one, then {@code [DONE]}, in one read whose bytes are the chars as single
     * bytes (a {@code \u00ff} is the byte 0xFF, never valid UTF-8): the relay finds the stream broken at the bad
     * event, and the client gets what came before it and the call's error event, and no {@code [DONE]}.
     */
    @ParameterizedTest
    @MethodSource("garbageInAStream")
    void aStreamWithGarbageEndsWithAnErrorEventNotDone(String garbage, String reason) {
        ResponseRelay relay = chatRelay(true);
        relay.head(UpstreamMessages.head(200, SSE));
        relay.content(latin1(chunk("up-model", "a") + garbage + "data: [DONE]\n\n", false));
        assertNotNull(client.brokenReason(), garbage);
        assertTrue(client.brokenReason().startsWith(reason), client.brokenReason());
        relay.readComplete();
        relay.failMidResponse(ApiError.upstreamBroken("up", client.brokenReason()));
        String body = client.read().body();
        assertTrue(body.startsWith(chunk("fast", "a").replace(USAGE_NULL, "") + "data: {\"error\":"), body);
        assertFalse(body.contains("[DONE]"), body);
        assertFalse(downstream.isOpen());
    }

    @Test
    void anAnthropicMessageStartWithInvalidUtf8EndsWithAnAnthropicErrorEvent() {
        ResponseRelay relay = relay("/v1/messages", "{\"model\":\"claude\",\"max_tokens\":10,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", false);
        relay.head(UpstreamMessages.head(200, SSE));
        relay.content(latin1("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":"
                + "\"m\u00e9\",\"model\":\"claude-sonnet-4-5-20250929\"}}\n\nevent: message_stop\n"
                + "data: {\"type\":\"message_stop\"}\n\n", true));
        assertTrue(client.brokenReason().startsWith("malformed event"), client.brokenReason());
        relay.failMidResponse(ApiError.upstreamBroken("ant", client.brokenReason()));
        String body = client.read().body();
        assertTrue(body.startsWith("event: error\n"), body);
        assertFalse(body.contains("message_stop"), body);
        assertFalse(downstream.isOpen());
    }

    /** Found by the randomized fault test: a body cut inside message_stop's data must not end the stream cleanly. */
    @Test
    void anAnthropicMessageStopTheBodyEndedInsideBreaksTheStream() {
        ResponseRelay relay = relay("/v1/messages", "{\"model\":\"claude\",\"max_tokens\":10,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", false);
        relay.head(UpstreamMessages.head(200, SSE));
        relay.content(UpstreamMessages.last("event: message_start\ndata: {\"type\":\"message_start\",\"message\":"
                + "{\"id\":\"m\",\"model\":\"claude\"}}\n\nevent: message_stop\ndata: {\"type\":\"message_st"));
        assertNull(client.endedReusable(), "never a clean end");
        assertTrue(client.brokenReason().startsWith("malformed event"), client.brokenReason());
        relay.failMidResponse(ApiError.upstreamBroken("ant", client.brokenReason()));
        String body = client.read().body();
        assertTrue(body.startsWith("event: message_start\n"), body);
        assertTrue(body.contains("event: error\n"), body);
        assertFalse(body.contains("message_stop"), body);
    }

    private static HttpContent latin1(String text, boolean last) {
        ByteBuf bytes = Unpooled.directBuffer().writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
        return last ? new DefaultLastHttpContent(bytes) : new DefaultHttpContent(bytes);
    }

    @Test
    void anAnthropicStreamHasItsModelSplicedInMessageStartOnly() {
        String stream = Fixtures.text("anthropic/message-stream.sse");
        ResponseRelay relay = relay("/v1/messages", "{\"model\":\"claude\",\"max_tokens\":10,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", false);
        relay.head(UpstreamMessages.head(200, SSE));
        int half = stream.length() / 2;
        relay.content(UpstreamMessages.content(stream.substring(0, half)));
        relay.content(UpstreamMessages.last(stream.substring(half)));

        assertEquals(stream.replace("\"model\":\"claude-sonnet-4-5-20250929\"", "\"model\":\"claude\""),
                client.read().body());
        assertEquals(Boolean.TRUE, client.endedReusable());
    }

    @Test
    void aStreamThatEndsWithoutDoneIsBroken() {
        ResponseRelay relay = chatRelay(false);
        relay.head(UpstreamMessages.head(200, SSE));
        relay.content(UpstreamMessages.last(chunk("up-model", "cut")));
        assertEquals("the stream ended without [DONE]", client.brokenReason());
        assertNull(client.endedReusable());
        failAsTheCallDoes(relay);
    }

    @Test
    void anEventTheBodyEndedInsideIsNeverRelayedSoTheErrorEventStandsAlone() {
        for (String end : List.of("data: {\"id\":\"c1\",\"mod", "data: {\"id\":\"c1\"}", "data: [DON",
                "data: {\"id\":\"c1\"}\n")) {
            try (RelayClient each = new RelayClient()) {
                ResponseRelay relay = new ResponseRelay(each.exchange("/v1/chat/completions", CHAT_STREAM), false,
                        each.keyMasks(), AttemptTrace.OFF, each.ended, each.broken);
                relay.head(UpstreamMessages.head(200, SSE));
                relay.content(UpstreamMessages.content(chunk("up-model", "whole")));
                relay.content(UpstreamMessages.last(end));
                assertEquals("the stream ended without [DONE]", each.brokenReason(), end);

                relay.failMidResponse(ApiError.upstreamBroken("up", each.brokenReason()));
                String body = each.read().body();
                assertTrue(body.startsWith(chunk("fast", "whole") + "data: {\"error\":"), end + " → " + body);
                assertEquals(List.of("whole", "upstream_error"), SseEvents.data(body).stream()
                        .map(data -> data.startsWith("{\"error\"") ? JsonPath.read(data, "error", "code")
                                : JsonPath.read(data, "choices", "0", "delta", "content")).toList(), end);
            }
        }
    }

    @Test
    void aLastEventWithoutItsBlankLineStillEndsTheStreamWhenItIsTheEndMarker() {
        ResponseRelay relay = chatRelay(false);
        relay.head(UpstreamMessages.head(200, SSE));
        relay.content(UpstreamMessages.last(chunk("up-model", "a") + "data: [DONE]"));
        assertNull(client.brokenReason());
        assertEquals(chunk("fast", "a") + "data: [DONE]", client.read().body());
        assertEquals(Boolean.TRUE, client.endedReusable());
    }

    /** The call answers a broken stream whose head went out with an error event in the client's dialect. */
    private void failAsTheCallDoes(ResponseRelay relay) {
        relay.failMidResponse(ApiError.upstreamBroken("up", client.brokenReason()));
        ClientResponse response = client.read();
        assertEquals(200, response.status());
        assertTrue(response.body().contains("\"code\":\"upstream_error\""), response.body());
        assertFalse(downstream.isOpen());
    }

    @Test
    void anEventThatIsNotJsonBreaksTheStream() {
        ResponseRelay relay = chatRelay(false);
        relay.head(UpstreamMessages.head(200, SSE));
        relay.content(UpstreamMessages.content("data: {\"id\":c1,\"model\":\"up-model\"}\n\n"));
        assertNotNull(client.brokenReason());
        assertTrue(client.brokenReason().startsWith("malformed event"), client.brokenReason());
        failAsTheCallDoes(relay);
    }

    @Test
    void aFailureMidStreamSendsAnErrorEventThenClosesAndFreesTheFramer() {
        ResponseRelay relay = chatRelay(false);
        relay.head(UpstreamMessages.head(200, SSE));
        relay.content(UpstreamMessages.content(chunk("up-model", "a") + "data: {\"id\":\"c1\""));
        relay.readComplete();
        client.read();

        relay.failMidResponse(ApiError.upstreamTimeout("up", "idle_timeout"));
        ClientResponse end = client.read();
        assertEquals("upstream_timeout", JsonPath.read(end.body().substring("data: ".length()), "error", "code"));
        assertTrue(end.ended());
        assertFalse(downstream.isOpen());
    }

    @Test
    void aJsonBodyIsGatheredAndSentWholeWithItsModelSplicedAndExactLength() {
        String body = Fixtures.text("openai/chat-completion.json");
        int model = body.indexOf("gpt-4o-mini");
        ResponseRelay relay = chatRelay(false);
        relay.head(UpstreamMessages.head(200, JSON));
        relay.content(UpstreamMessages.content(body.substring(0, model + 3)));
        relay.content(UpstreamMessages.content(body.substring(model + 3, model + 9)));
        assertNull(downstream.readOutbound(), "held until whole");
        relay.content(UpstreamMessages.last(body.substring(model + 9)));

        ClientResponse response = client.read();
        assertEquals(1, response.chunks().size());
        assertEquals(body.replace("gpt-4o-mini-2024-07-18", "fast"), response.body());
        assertEquals(String.valueOf(response.body().getBytes(StandardCharsets.UTF_8).length),
                response.header("content-length"));
        assertNotNull(response.header(ClientHeads.OVERHEAD_HEADER));
        assertEquals(24, client.exchange().usage().input());
        assertEquals(Boolean.TRUE, client.endedReusable());
    }

    @Test
    void aBodyThatOnlyClaimsToBeJsonGoesOutAsItCame() {
        ResponseRelay relay = chatRelay(false);
        relay.head(UpstreamMessages.head(200, JSON));
        relay.content(UpstreamMessages.last("not json at all"));
        assertEquals("not json at all", client.read().body());
        assertNull(client.brokenReason());
    }

    @Test
    void aBodyPastTheLimitIsRelayedUnchangedAsItComes() {
        byte[] piece = new byte[4 * 1024 * 1024];
        Arrays.fill(piece, (byte) 'x');
        byte[] start = "{\"model\":\"up-model\",\"pad\":\"".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(start, 0, piece, 0, start.length);
        int pieces = Relay.MAX_BODY_BYTES / piece.length + 1;
        ResponseRelay relay = chatRelay(false);
        relay.head(UpstreamMessages.head(200, JSON));
        for (int i = 0; i < pieces; i++) {
            relay.content(new DefaultHttpContent(Unpooled.wrappedBuffer(piece)));
        }
        relay.content(UpstreamMessages.last("\"}"));

        ClientResponse response = client.read();
        assertEquals("chunked", response.header("transfer-encoding"));
        assertEquals((long) pieces * piece.length + 2, response.body().length());
        assertTrue(response.body().startsWith("{\"model\":\"up-model\""), "no rewrite on a body too large to hold");
        assertEquals(Boolean.TRUE, client.endedReusable());
    }

    @Test
    void anAnswerOfAnotherContentTypeIsPassedThroughPieceByPieceWithoutCopying() {
        ResponseRelay relay = chatRelay(false);
        relay.head(UpstreamMessages.head(200, "text/plain"));
        HttpContent first = UpstreamMessages.content("plain ");
        relay.content(first);
        HttpResponse head = downstream.readOutbound();
        assertEquals(200, head.status().code());
        assertEquals("chunked", head.headers().get("transfer-encoding"));
        assertNotNull(head.headers().get(ClientHeads.OVERHEAD_HEADER));
        Object relayed = downstream.readOutbound();
        assertSame(first, relayed);
        ReferenceCountUtil.release(relayed);

        relay.content(UpstreamMessages.last("text"));
        assertEquals("text", client.read().body());
        assertEquals(Boolean.TRUE, client.endedReusable());
    }

    @Test
    void anErrorAnswerIsSentWholeWithTheProvidersKeyMaskedInItsBodyAndHeadersWhereverTheReadsSplit() {
        String error = "{\"error\":{\"message\":\"Incorrect API key provided: " + PROVIDER_KEY
                + ". You can find your API key at https://platform.openai.com/account/api-keys.\","
                + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}";
        String expected = error.replace(PROVIDER_KEY, "***");
        for (int split = 1; split < error.length(); split++) {
            ResponseRelay relay = chatRelay(false);
            relay.head(UpstreamMessages.head(400, JSON, "x-echoed-authorization", "Bearer " + PROVIDER_KEY,
                    "x-request-id", "req-" + PROVIDER_KEY));
            relay.content(UpstreamMessages.content(error.substring(0, split)));
            assertNull(downstream.readOutbound(), "held until whole");
            relay.content(UpstreamMessages.last(error.substring(split)));

            String at = "split at " + split + ": ";
            ClientResponse response = client.read();
            assertEquals(400, response.status(), at);
            assertEquals(expected, response.body(), at);
            assertEquals(String.valueOf(expected.length()), response.header("content-length"), at);
            assertEquals("Bearer ***", response.header("x-echoed-authorization"), at);
            assertEquals("req-***", response.header("x-upstream-request-id"), at);
            assertEquals(Boolean.TRUE, client.endedReusable(), at);
        }
    }

    @Test
    void aStreamsErrorEventHasTheProvidersKeyMaskedAndEndsTheStream() {
        ResponseRelay relay = chatRelay(false);
        relay.head(UpstreamMessages.head(200, SSE));
        String error = "data: {\"error\": {\"message\": \"key " + PROVIDER_KEY + " is over its quota\"}}\n\n";
        String vllmError = "data: {\"object\":\"error\",\"message\":\"bad key " + PROVIDER_KEY + "\"}\n\n";
        relay.content(UpstreamMessages.content(chunk("up-model", "a") + error + vllmError));
        relay.readComplete();
        assertEquals(chunk("fast", "a") + error.replace(PROVIDER_KEY, "***") + vllmError.replace(PROVIDER_KEY, "***"),
                client.read().body());

        relay.content(UpstreamMessages.last(""));
        assertEquals("the stream ended without [DONE]", client.brokenReason());
        relay.failMidResponse(ApiError.upstreamBroken("up", client.brokenReason()));
        assertTrue(client.read().body().contains("\"code\":\"upstream_error\""));
        assertFalse(downstream.isOpen());
    }

    @Test
    void aSuccessfulStreamEventHasTheSentKeyMasked() {
        ResponseRelay relay = chatRelay(true);
        relay.head(UpstreamMessages.head(200, SSE));
        relay.content(UpstreamMessages.content(chunk("up-model", "echo " + PROVIDER_KEY)));
        relay.content(UpstreamMessages.last("data: [DONE]\n\n"));
        assertEquals(chunk("fast", "echo ***").replace(USAGE_NULL, "") + "data: [DONE]\n\n", client.read().body());
    }

    @Test
    void aSuccessfulBodyHasTheProvidersKeyMaskedBesideItsModelSplice() {
        String body = "{\"model\":\"up-model\",\"choices\":[{\"message\":{\"content\":\"your key is "
                + PROVIDER_KEY + "\"}}]}";
        ResponseRelay relay = chatRelay(false);
        relay.head(UpstreamMessages.head(200, JSON));
        relay.content(UpstreamMessages.last(body));
        assertEquals(body.replace("up-model", "fast").replace(PROVIDER_KEY, "***"), client.read().body());
    }

    @Test
    void discardReleasesABodyBeingGathered() {
        ResponseRelay relay = chatRelay(false);
        relay.head(UpstreamMessages.head(200, JSON));
        HttpContent piece = UpstreamMessages.content("{\"model\":");
        relay.content(piece);
        relay.discard();
        assertEquals(0, piece.refCnt());
        assertNull(downstream.readOutbound());
    }

    /** Records what a relay hands a traced attempt: each document's bytes and the model its span points at. */
    private static final class HandedFacts {
        final List<String> documents = new ArrayList<>();
        final List<String> models = new ArrayList<>();
        /** The attempt's span, taking the facts or not; its other calls do nothing. */
        final AttemptTrace trace;

        HandedFacts(boolean takes) {
            trace = (AttemptTrace) Proxy.newProxyInstance(AttemptTrace.class.getClassLoader(),
                    new Class<?>[] {AttemptTrace.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "takesAnswerFacts" -> takes;
                        case "answered" -> {
                            answered((ByteBuf) args[0], (int) args[1], (int) args[2], (long) args[3]);
                            yield null;
                        }
                        default -> null;
                    });
        }

        private void answered(ByteBuf bytes, int start, int end, long modelSpan) {
            documents.add(bytes.toString(start, end - start, StandardCharsets.UTF_8));
            models.add(modelSpan < 0 ? null : bytes.toString(JsonSpans.start(modelSpan),
                    JsonSpans.end(modelSpan) - JsonSpans.start(modelSpan), StandardCharsets.UTF_8));
        }
    }

    private ResponseRelay tracedRelay(AttemptTrace trace) {
        return new ResponseRelay(client.exchange("/v1/chat/completions", CHAT_STREAM), false, client.keyMasks(),
                trace, client.ended, client.broken);
    }

    @Test
    void aTracedAttemptIsHandedEachEventsDataOnceWithTheProvidersModelWhereverTheReadsSplit() {
        String first = chunk("up-model", "a");
        String second = chunk("fast", "b"); // the requested name: not spliced, still the provider's model
        String stream = first + ": comment\n\n" + second + "data: [DONE]\n\n";
        for (int split = 1; split < stream.length(); split++) {
            try (RelayClient each = new RelayClient()) {
                HandedFacts trace = new HandedFacts(true);
                ResponseRelay relay = new ResponseRelay(each.exchange("/v1/chat/completions", CHAT_STREAM), false,
                        each.keyMasks(), trace.trace, each.ended, each.broken);
                relay.head(UpstreamMessages.head(200, SSE));
                relay.content(UpstreamMessages.content(stream.substring(0, split)));
                relay.content(UpstreamMessages.last(stream.substring(split)));

                assertEquals(List.of(data(first), data(second)), trace.documents, "split at " + split);
                assertEquals(Arrays.asList("\"up-model\"", "\"fast\""), trace.models, "split at " + split);
                assertTrue(each.read().ended());
            }
        }
    }

    @Test
    void aTracedAttemptIsHandedTheWholeBodyWithItsModelOnceAndAnUntracedOneNothing() {
        String body = "{\"id\":\"c1\",\"model\":\"up-model\",\"choices\":[{\"finish_reason\":\"stop\"}]}";
        HandedFacts traced = new HandedFacts(true);
        ResponseRelay relay = tracedRelay(traced.trace);
        relay.head(UpstreamMessages.head(200, JSON));
        relay.content(UpstreamMessages.content(body.substring(0, 9)));
        relay.content(UpstreamMessages.last(body.substring(9)));
        assertEquals(List.of(body), traced.documents);
        assertEquals(List.of("\"up-model\""), traced.models);
        client.read();

        HandedFacts declining = new HandedFacts(false);
        relay = tracedRelay(declining.trace);
        relay.head(UpstreamMessages.head(200, SSE));
        relay.content(UpstreamMessages.last(chunk("up-model", "a") + "data: [DONE]\n\n"));
        assertEquals(List.of(), declining.documents, "a span that reads for itself is handed nothing");
    }

    private static String data(String event) {
        return event.substring("data: ".length(), event.length() - 2);
    }
}
