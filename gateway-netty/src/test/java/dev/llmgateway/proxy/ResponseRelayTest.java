package dev.llmgateway.proxy;

import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.testutil.ClientResponse;
import dev.llmgateway.testutil.Fixtures;
import dev.llmgateway.testutil.JsonPath;
import dev.llmgateway.testutil.SseEvents;
import dev.llmgateway.testutil.UpstreamMessages;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

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

    private final RelayClient client = new RelayClient();
    private final EmbeddedChannel downstream = client.downstream;

    @AfterEach
    void endTheExchange() {
        client.close();
    }

    private ResponseRelay relay(String path, String request, boolean hidesUsage) {
        return new ResponseRelay(client.exchange(path, request), hidesUsage, client.ended, client.broken);
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
        for (int split = 1; split < stream.length(); split++) {
            ResponseRelay relay = chatRelay(true);
            relay.head(UpstreamMessages.head(200, SSE));
            relay.content(UpstreamMessages.content(stream.substring(0, split)));
            relay.content(UpstreamMessages.last(stream.substring(split)));

            String at = "split at " + split + ": ";
            assertEquals(expected, client.read().body(), at);
            assertEquals(5, client.exchange().usage().input(), at);
            assertEquals(2, client.exchange().usage().output(), at);
            assertNull(client.brokenReason(), at);
        }
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
                        each.ended, each.broken);
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
    void anErrorAnswerIsPassedThroughPieceByPieceWithoutCopying() {
        ResponseRelay relay = chatRelay(false);
        relay.head(UpstreamMessages.head(400, JSON));
        HttpContent first = UpstreamMessages.content("{\"error\":");
        relay.content(first);
        HttpResponse head = downstream.readOutbound();
        assertEquals(400, head.status().code());
        assertEquals("chunked", head.headers().get("transfer-encoding"));
        assertNotNull(head.headers().get(ClientHeads.OVERHEAD_HEADER));
        Object relayed = downstream.readOutbound();
        assertSame(first, relayed);
        ReferenceCountUtil.release(relayed);

        relay.content(UpstreamMessages.last("{}}"));
        assertEquals("{}}", client.read().body());
        assertEquals(Boolean.TRUE, client.endedReusable());
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
}
