package dev.llmgateway.bench.load;

import dev.llmgateway.bench.ChatPayloads;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness's HTTP/2 parts against each other on loopback: the mock upstream answering HTTP/1.1 and h2c on one
 * port and counting its connections, its note of a stream its client reset, and the load generator multiplexing
 * h2c streams.
 */
@Timeout(60)
class MockUpstreamHttp2Test {
    private static final String HOST = "127.0.0.1";
    private static final byte[] JSON_REQUEST = ChatPayloads.chatRequest(ChatPayloads.CLIENT_MODEL, false, 1, 512);

    private final NettyTransport transport = NettyTransport.best();
    private final EventLoopGroup mockGroup = transport.newGroup("test-mock");
    private final EventLoopGroup clientGroup = transport.newGroup("test-client");

    @AfterEach
    void stop() {
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        mockGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void answersHttp11AndH2cOnOnePortAndCountsTheirConnections() throws Exception {
        try (MockUpstream mock = MockUpstream.start(transport, mockGroup, 0, 0, 0)) {
            mock.connections().reset();
            HttpResponse<String> http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                    HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + mock.port() + LoadGenerator.PATH))
                            .timeout(Duration.ofSeconds(10))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON_REQUEST)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, http1.statusCode());
            assertTrue(http1.body().contains(ChatPayloads.UPSTREAM_MODEL), http1.body());

            byte[] streamed = ChatPayloads.chatRequest(ChatPayloads.CLIENT_MODEL, true, 3, 512);
            try (Http2Client client = Http2Client.connect(transport, clientGroup, HOST, mock.port())) {
                Http2Client.Answer json = client.fetch(headers(mock, false, JSON_REQUEST), JSON_REQUEST, 10);
                assertEquals(200, json.status());
                assertTrue(json.body().contains(ChatPayloads.UPSTREAM_MODEL), json.body());
                Http2Client.Answer stream = client.fetch(headers(mock, true, streamed), streamed, 10);
                assertEquals(200, stream.status());
                // Three text events and [DONE], each ending in a blank line.
                assertEquals(4, stream.body().split("\n\n", -1).length - 1, stream.body());
            }
            assertEquals(2, mock.connections().opened(), "one HTTP/1.1 and one h2c connection");
        }
    }

    @Test
    void notesAStreamItsClientResetButNotOneThatEnded() throws Exception {
        try (MockUpstream mock = MockUpstream.start(transport, mockGroup, 0, 20, 0);
             Http2Client client = Http2Client.connect(transport, clientGroup, HOST, mock.port())) {
            byte[] longStream = ChatPayloads.chatRequest(ChatPayloads.CLIENT_MODEL, true, 50, 512);
            mock.clearCancels();
            long reset = client.cancelAfterFirstBytes(headers(mock, true, longStream), longStream, 10);
            long seen = mock.awaitCancel(TimeUnit.SECONDS.toNanos(2));
            assertTrue(seen >= reset, "the mock saw the reset after it was sent: " + (seen - reset) + " ns");

            byte[] shortStream = ChatPayloads.chatRequest(ChatPayloads.CLIENT_MODEL, true, 2, 512);
            assertEquals(200, client.fetch(headers(mock, true, shortStream), shortStream, 10).status());
            assertEquals(-1, mock.awaitCancel(TimeUnit.MILLISECONDS.toNanos(200)), "a finished stream is no cancel");
        }
    }

    @Test
    void loadGeneratorMultiplexesItsRequestsOverH2cConnections() throws Exception {
        try (MockUpstream mock = MockUpstream.start(transport, mockGroup, 0, 0, 200)) {
            mock.connections().reset();
            LoadGenerator.Request request = new LoadGenerator.Request(HOST, mock.port(), JSON_REQUEST,
                    "test-key", false, true, 4);
            LoadResult result;
            try (LoadGenerator generator = new LoadGenerator(transport, clientGroup, request)) {
                generator.connect(2);
                result = generator.run(LoadGenerator.Mode.CLOSED, 0, 0, TimeUnit.MILLISECONDS.toNanos(300),
                        TimeUnit.SECONDS.toNanos(5), new LoadGenerator.WindowListener() {
                            @Override
                            public void measureStarted() {
                            }

                            @Override
                            public void measureEnded() {
                            }
                        });
            }
            assertEquals(0, result.errors() + result.incomplete());
            // Answers take 200 ms, the window 300 ms: 8 streams at once send 8 at its start and 8 more at 200 ms;
            // two connections with one request each would send 4 in all.
            assertTrue(result.requests() >= 8, "requests: " + result.requests());
            assertEquals(2, mock.connections().peak(), "the generator's two connections, no more");
        }
    }

    private static Http2Headers headers(MockUpstream mock, boolean stream, byte[] body) {
        return Http2Client.requestHeaders(HOST, mock.port(), LoadGenerator.PATH, "test-key", stream, body.length);
    }
}
