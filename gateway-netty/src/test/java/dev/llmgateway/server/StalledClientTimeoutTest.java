package dev.llmgateway.server;

import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.PrometheusText;
import dev.llmgateway.testutil.RawHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that stops reading a stream holds it and its upstream connection (backpressure pauses the provider)
 * until {@code stalled_client_timeout}: then the gateway closes the client connection, which closes the upstream
 * connection too, and counts it.
 * HTTP/1.1 only: a socket that stops reading; a stalled HTTP/2 stream is in {@code Http2DownstreamTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StalledClientTimeoutTest {
    /** Far more than the sockets and the gateway's watermarks hold: the provider blocks long before the end. */
    private static final long MAX_STREAM_BYTES = 1L << 30;

    @Test
    void aClientThatNeverReadsIsClosedAndItsUpstreamFreed() throws Exception {
        byte[] event = event();
        AtomicLong providerSent = new AtomicLong();
        try (FakeUpstream upstream = new FakeUpstream(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            while (providerSent.get() < MAX_STREAM_BYTES) {
                reply.body(event);
                providerSent.addAndGet(event.length);
            }
            reply.end();
        });
             GatewayHarness gateway = GatewayHarness.start("stalled_client_timeout = \"1s\"",
                     GatewayHarness.routedTo(upstream.baseUrl(), "[access_log]\nenabled = false"), Map.of());
             Socket client = new Socket()) {
            client.setReceiveBufferSize(16 * 1024);
            client.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 5000);
            client.getOutputStream().write(RawHttpClient.post("/v1/chat/completions", GatewayHarness.KEY,
                    "{\"model\":\"m\",\"stream\":true,\"messages\":[]}").getBytes(StandardCharsets.UTF_8));
            long start = System.nanoTime();

            long deadline = start + TimeUnit.SECONDS.toNanos(15);
            while (upstream.connectionsClosed() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            long freedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(1, upstream.connectionsClosed(), "the upstream connection was closed");
            assertTrue(freedAfterMillis >= 900, "not before the timeout: " + freedAfterMillis + " ms");
            assertTrue(providerSent.get() < MAX_STREAM_BYTES, "the provider was held back, then cut off");

            client.setSoTimeout(5000);
            assertTrue(readsToTheEnd(client.getInputStream()), "the client connection was closed");
            String metrics = gateway.get("/metrics", null).body();
            assertEquals(1.0, PrometheusText.value(metrics, "llm_stalled_clients_closed_total"), metrics);
            System.out.printf("stalled client: closed and upstream freed after %d ms (timeout 1 s); the provider"
                    + " had sent %d bytes%n", freedAfterMillis, providerSent.get());
        }
    }

    /** True when the server's side ends (end of stream or reset) while the client reads what was left. */
    private static boolean readsToTheEnd(InputStream in) {
        byte[] buffer = new byte[64 * 1024];
        try {
            while (in.read(buffer) != -1) {
                // what the socket buffers still held
            }
            return true;
        } catch (IOException reset) {
            return !(reset instanceof java.net.SocketTimeoutException);
        }
    }

    private static byte[] event() {
        char[] content = new char[8 * 1024];
        Arrays.fill(content, 'a');
        return ("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"" + new String(content) + "\"},\"finish_reason\":null}]}\n\n")
                .getBytes(StandardCharsets.US_ASCII);
    }
}
