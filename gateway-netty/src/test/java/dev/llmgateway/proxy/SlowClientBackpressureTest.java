package dev.llmgateway.proxy;

import dev.llmgateway.testutil.FakeUpstream;
import dev.llmgateway.testutil.GatewayHarness;
import dev.llmgateway.testutil.RawHttpClient;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that stops reading must not make the gateway buffer the stream: the provider streams 200 MB, the
 * client reads nothing for a while, the gateway's direct memory stays small (it stops reading the provider),
 * and when the client resumes the whole stream arrives.
 * HTTP/1.1 only: a socket that stops reading; HTTP/2's window that runs out is in {@code Http2DownstreamTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowClientBackpressureTest {
    private static final long STREAM_BYTES = 200L << 20;
    private static final long MEMORY_LIMIT = 16L << 20;

    @Test
    void aStalledClientDoesNotMakeTheGatewayBufferTheStream() throws Exception {
        byte[] event = event(16 * 1024);
        long events = STREAM_BYTES / event.length;
        AtomicLong providerSent = new AtomicLong();
        try (FakeUpstream upstream = new FakeUpstream(reply -> {
            reply.head(200, "OK", true, "content-type", "text/event-stream");
            byte[] batch = repeat(event, 8);
            for (long sent = 0; sent < events; sent += 8) {
                reply.body(batch);
                providerSent.addAndGet(batch.length);
            }
            reply.body("data: [DONE]\n\n");
            reply.end();
        });
             GatewayHarness gateway = GatewayHarness.start(GatewayHarness.openAiConfig(upstream.baseUrl(), """
                     idle_timeout = "60s"

                     [routing]
                     default_provider = "up"

                     [access_log]
                     enabled = false
                     """));
             Socket client = new Socket()) {
            client.setReceiveBufferSize(64 * 1024);
            client.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 5000);
            client.getOutputStream().write(RawHttpClient.post("/v1/chat/completions", GatewayHarness.KEY,
                    "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}")
                    .getBytes(StandardCharsets.UTF_8));

            long baseline = directMemory();
            long peak = 0;
            long stalledUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < stalledUntil) {
                peak = Math.max(peak, directMemory() - baseline);
                Thread.sleep(25);
            }
            long sentWhileStalled = providerSent.get();
            assertTrue(sentWhileStalled < STREAM_BYTES / 4, "the provider was stopped after "
                    + sentWhileStalled + " bytes, not allowed to stream everything into the gateway");
            assertTrue(peak < MEMORY_LIMIT, "direct memory grew by " + peak + " bytes while the client was stalled");

            long received = drain(client.getInputStream());
            assertTrue(received > STREAM_BYTES, "the client got " + received + " bytes");
            assertEquals(events * event.length, providerSent.get(), "the provider sent the whole stream");
            System.out.printf("slow client: provider sent %d bytes while the client was stalled; peak direct memory"
                    + " growth %.1f MiB; %d bytes delivered after resuming%n", sentWhileStalled, peak / 1048576.0,
                    received);
        }
    }

    private static long directMemory() {
        long used = PlatformDependent.usedDirectMemory();
        return used >= 0 ? used : PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    }

    /** Reads the chunked response to its end (the terminating zero-size chunk) and counts the bytes. */
    private static long drain(InputStream in) throws Exception {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        byte[] tail = new byte[0];
        int read;
        while ((read = in.read(buffer)) != -1) {
            total += read;
            byte[] window = new byte[Math.min(tail.length + read, 64)];
            byte[] joined = new byte[tail.length + read];
            System.arraycopy(tail, 0, joined, 0, tail.length);
            System.arraycopy(buffer, 0, joined, tail.length, read);
            System.arraycopy(joined, joined.length - window.length, window, 0, window.length);
            tail = window;
            String end = new String(tail, StandardCharsets.ISO_8859_1);
            if (end.contains("data: [DONE]") && end.endsWith("0\r\n\r\n")) {
                return total;
            }
        }
        return total;
    }

    private static byte[] event(int size) {
        String prefix = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"";
        String suffix = "\"},\"finish_reason\":null}]}\n\n";
        char[] content = new char[size - prefix.length() - suffix.length()];
        Arrays.fill(content, 'a');
        return (prefix + new String(content) + suffix).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] repeat(byte[] bytes, int times) {
        byte[] out = new byte[bytes.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(bytes, 0, out, i * bytes.length, bytes.length);
        }
        return out;
    }
}
