package dev.llmgateway.upstream;

import dev.llmgateway.testutil.Exchanges;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link UpstreamConnection} behind its real codec on an EmbeddedChannel: the request goes out, the response goes to
 * the exchange holding the connection, a failure to it once, a malformed response as a failure (never as a response
 * or its end), and the connection goes back to its owner or is closed.
 */
class UpstreamConnectionTest {
    private final List<Boolean> returned = new ArrayList<>();
    private final UpstreamConnection connection = new UpstreamConnection((released, reusable) -> returned.add(reusable));
    private final EmbeddedChannel channel = new EmbeddedChannel(new UpstreamHttpCodec(), connection);
    private final RecordingListener listener = new RecordingListener();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private static FullHttpRequest request() {
        return Exchanges.request(HttpMethod.POST, "/v1/chat/completions", "{\"model\":\"m\"}");
    }

    /** Bytes as the provider's socket delivers them. */
    private void provider(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
    }

    private String sentBytes() {
        StringBuilder sent = new StringBuilder();
        for (ByteBuf out; (out = channel.readOutbound()) != null; ) {
            sent.append(out.toString(StandardCharsets.US_ASCII));
            out.release();
        }
        return sent.toString();
    }

    @Test
    void theRequestGoesOutAndTheResponseToTheExchangeHoldingTheConnection() {
        connection.send(request(), listener);
        assertTrue(sentBytes().startsWith("POST /v1/chat/completions HTTP/1.1"));

        provider("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
        assertEquals(List.of(200), listener.statuses);
        assertEquals("hi", listener.body.toString());
        assertTrue(listener.ended);
        assertSame(channel, connection.channel());
    }

    @Test
    void aProviderTalkingUnaskedIsCutOff() {
        provider("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
        assertFalse(channel.isOpen());
    }

    @Test
    void aCloseBeforeTheResponseEndedTellsTheExchange() {
        connection.send(request(), listener);
        provider("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        channel.close();
        assertEquals("hello", listener.body.toString());
        assertFalse(listener.ended);
        assertEquals(1, listener.failures.size());
        assertInstanceOf(IOException.class, listener.failures.get(0));
    }

    @Test
    void anExceptionClosesTheConnectionAndIsTheFailureReported() {
        connection.send(request(), listener);
        IOException reset = new IOException("connection reset");
        channel.pipeline().fireExceptionCaught(reset);
        assertFalse(channel.isOpen());
        assertEquals(List.of(reset), listener.failures);
    }

    @Test
    void aResetEndsABodyDelimitedByCloseAsAFailureNotAsItsEnd() {
        connection.send(request(), listener);
        sentBytes();
        provider("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"par");
        IOException reset = new IOException("Connection reset by peer");
        channel.pipeline().fireExceptionCaught(reset);
        assertFalse(listener.ended, "the close after a reset is not the end of the body");
        assertEquals(List.of(reset), listener.failures);
    }

    @Test
    void aRequestThatCannotBeWrittenIsAFailure() {
        channel.close();
        FullHttpRequest request = request();
        connection.send(request, listener);
        assertEquals(0, request.refCnt());
        assertEquals(1, listener.failures.size());
        assertInstanceOf(ClosedChannelException.class, listener.failures.get(0));
    }

    @Test
    void backpressureTurnsReadingOffAndOn() {
        connection.pauseReading();
        assertFalse(channel.config().isAutoRead());
        connection.resumeReading();
        assertTrue(channel.config().isAutoRead());
    }

    @Test
    void finishGoesBackToTheOwnerOnceReadingAgain() {
        connection.send(request(), listener);
        sentBytes();
        connection.pauseReading();
        connection.finish(true);
        connection.finish(true);
        connection.abort();
        assertEquals(List.of(true), returned);
        assertTrue(channel.config().isAutoRead(), "a paused connection is not pooled paused");
        assertTrue(channel.isOpen(), "an abort after the finish is too late to close");

        connection.parked(System.nanoTime());
        assertTrue(connection.reused());
    }

    /** What the exchange heard of a response the provider framed badly: a failure, once, and no end. */
    private void assertMalformed(String provider) {
        connection.send(request(), listener);
        sentBytes();
        provider(provider);
        assertFalse(listener.ended, "a broken response never ends cleanly");
        assertEquals(1, listener.failures.size(), listener.failures.toString());
        assertInstanceOf(MalformedResponseException.class, listener.failures.get(0));
        assertFalse(channel.isOpen(), "the connection is closed at once, so no pool can take it back");
    }

    @Test
    void brokenChunkingMidBodyIsAFailureNotAnEnd() {
        assertMalformed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nmore\r\n");
        assertEquals(List.of(200), listener.statuses);
        assertEquals("hello", listener.body.toString());
    }

    /** Heads no final response may have, each a failure before any status reaches the exchange. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("unusableHeads")
    void anUnusableHeadIsAFailureWithoutAStatus(String what, String response) {
        assertMalformed(response);
        assertTrue(listener.statuses.isEmpty(), "no made-up or unreadable head reaches the exchange: " + what);
    }

    static Stream<Arguments> unusableHeads() {
        return Stream.of(
                Arguments.of("a garbage status line", "HTTP/1.1 OK\r\nContent-Length: 2\r\n\r\nhi"),
                Arguments.of("a status no final response has", "HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nhi"),
                Arguments.of("Content-Length with Transfer-Encoding", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("two different Content-Lengths",
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi"),
                Arguments.of("a transfer coding nobody undoes (the body would be read to the close)",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc"),
                Arguments.of("a coding under the chunks",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
                Arguments.of("a header value with a control byte (never passed on to a client)",
                        "HTTP/1.1 200 OK\r\nX-Odd: a\u0001b\r\nContent-Length: 2\r\n\r\nhi"));
    }

    @Test
    void repeatedEqualContentLengthsCountAsOne() {
        connection.send(request(), listener);
        sentBytes();
        provider("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi");
        assertTrue(listener.ended);
        assertEquals("hi", listener.body.toString());
        assertTrue(listener.failures.isEmpty());
    }

    @Test
    void anInterimResponseIsSkipped() {
        connection.send(request(), listener);
        sentBytes();
        provider("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
        assertEquals(List.of(200), listener.statuses);
        assertEquals("hi", listener.body.toString());
        assertTrue(listener.ended);
    }

    @Test
    void bytesPastTheResponseKeepTheConnectionFromThePool() {
        connection.send(request(), listener);
        sentBytes();
        provider("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi there");
        assertTrue(listener.ended);
        connection.finish(true);
        assertEquals(List.of(false), returned, "more than the response: not reused");
    }

    @Test
    void lineEndsPastTheResponseAreHarmless() {
        connection.send(request(), listener);
        sentBytes();
        provider("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi\r\n");
        connection.finish(true);
        assertEquals(List.of(true), returned);
    }

    @Test
    void abortClosesWithoutTellingAnyone() {
        connection.send(request(), listener);
        sentBytes();
        connection.abort();
        assertFalse(channel.isOpen());
        assertTrue(returned.isEmpty());
        assertTrue(listener.failures.isEmpty(), "the exchange that aborted knows");
    }
}
