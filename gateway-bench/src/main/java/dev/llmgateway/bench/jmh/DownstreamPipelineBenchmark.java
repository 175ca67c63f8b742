package dev.llmgateway.bench.jmh;

import dev.llmgateway.bench.ChatPayloads;
import dev.llmgateway.accesslog.AccessLog;
import dev.llmgateway.accesslog.BodyCapture;
import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.config.GatewayConfig;
import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.metrics.GatewayMetrics;
import dev.llmgateway.exchange.ExchangeObserver;
import dev.llmgateway.server.ClientConnections;
import dev.llmgateway.server.DownstreamPipeline;
import dev.llmgateway.server.EndpointHandler;
import dev.llmgateway.server.ExchangeTelemetry;
import dev.llmgateway.server.GatewayServer;
import dev.llmgateway.server.Snapshot;
import dev.llmgateway.tracing.Tracing;
import dev.llmgateway.upstream.UpstreamConnection;
import dev.llmgateway.upstream.UpstreamHttpCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One whole chat request, non-streamed or streamed, through the gateway's real downstream pipeline ({@link DownstreamPipeline}
 * as {@code GatewayServer} builds it) and a keep-alive upstream connection ({@link UpstreamHttpCodec} +
 * {@link UpstreamConnection}), both in {@link EmbeddedChannel}s so no socket or scheduler is measured.
 *
 * <p>One op is a full exchange: ~1 KB of client request bytes in → decode, aggregate, authenticate, route,
 * splice {@code model} → the provider's request bytes out of the upstream channel; then a ~1 KB
 * {@code 200 application/json} upstream response in → decode, splice {@code model} back → the client's response
 * bytes out, which returns the connection to its "pool" and readies both channels for the next op. Streamed
 * ({@code stream = true}): the answer is {@code events} chunk events (20 unless {@code -p} says otherwise), the
 * usage event the gateway asked for (the client did not) and {@code [DONE]}, arriving in one read, each event's
 * {@code model} spliced and the usage event taken out.
 * The two legs are one op because neither can repeat without the other, and per-invocation setup would blur B/op.
 *
 * <p>{@code tracing = on}: every exchange traced (100 % sampling), a server span and an attempt's client span made,
 * filled and ended on the loop; what that costs the loop (their export runs on the export thread, here to a
 * collector address that refuses). {@code off} is the shipped default.
 *
 * <p>{@code observer = shipped}: what each exchange's end costs as shipped — the gateway's telemetry with Prometheus
 * metrics and the default JSON access log, to {@code /dev/null} (the writer thread's write is not the loop's).
 * The access log batches its lines per event loop, so then the exchanges run on a real event loop's thread, in
 * invocations of {@link #BATCH} exchanges (the hand-over to that thread is shared by them). {@code none}: no
 * metrics, no log line, no record at all.
 */
public class DownstreamPipelineBenchmark extends AbstractMicrobenchmark {
    private static final String GATEWAY_KEY = "gw-bench-0123456789abcdef0123456789abcdef";
    private static final String PROVIDER_KEY = "sk-bench-provider-0123456789abcdef0123456789abcdef";
    private static final String CONFIG = """
            [[api_keys]]
            name = "bench"
            key = "%s"
            models = ["*"]

            [providers.up]
            type = "openai_compatible"
            base_url = "http://127.0.0.1:9/v1"
            api_keys = ["%s"]

            [models."%s"]
            provider = "up"
            api_model = "%s"
            """.formatted(GATEWAY_KEY, PROVIDER_KEY, ChatPayloads.CLIENT_MODEL, ChatPayloads.UPSTREAM_MODEL);

    private static final String TRACING = """
            [tracing]
            enabled = true
            endpoint = "http://127.0.0.1:9"
            """;

    @Param({"false", "true"})
    public boolean stream;

    /** Chunk events per streamed answer: two counts in one run give one event's cost ({@code -p events=20,120}). */
    @Param({"20"})
    public int events;

    @Param({"off", "on"})
    public String tracing;

    @Param({"none", "shipped"})
    public String observer;

    /** Exchanges per invocation: each invocation hands over to the event loop once. */
    static final int BATCH = 100;

    private EmbeddedChannel downstream;
    private EmbeddedChannel upstream;
    private ByteBuf request;
    private ByteBuf response;
    private Tracing tracer = Tracing.OFF;
    private AccessLog accessLog;
    /** With {@code observer = shipped}: the thread the exchanges run on, so the access log sees an event loop. */
    private DefaultEventLoop loop;

    @Setup
    public void setUp() throws Exception {
        boolean traced = tracing.equals("on");
        GatewayConfig config = ConfigLoader.parse(CONFIG + (traced ? TRACING : ""), "bench", Map.of());
        tracer = Tracing.start(config.observability().tracing(), 0);
        Tracing traces = tracer;
        GatewayMetrics metrics = new GatewayMetrics();
        ExchangeObserver observer = shipped() ? shippedObserver(config, metrics) : !traced ? ExchangeObserver.NONE
                : new ExchangeObserver() {
            @Override
            public void started() {
            }

            @Override
            public void finished(ExchangeRecord record) {
            }

            @Override
            public Tracing tracing() {
                return traces;
            }
        };
        Snapshot snapshot = Snapshot.of(config);

        // The pool's part: hand back the one connection, parked again once its exchange is done with it.
        UpstreamConnection connection = new UpstreamConnection((released, reusable) ->
                released.parked(System.nanoTime()));
        // The codec as UpstreamChannelInitializer adds it for a plain-http provider.
        upstream = channel(new UpstreamHttpCodec(), connection);
        // ProxyCall asks for a connection on the client's loop, as with UpstreamPools; here that loop is the
        // downstream channel's EmbeddedEventLoop, and the connection's own channel runs its writes inline.
        DownstreamPipeline pipeline = GatewayServer.pipeline(() -> snapshot, () -> null,
                new ClientConnections(config.server().maxConnections(), () -> { }),
                (loop, p) -> loop.newSucceededFuture(connection),
                metrics, observer, EndpointHandler.MetricsAccess.NONE, Runnable::run);
        downstream = channel(pipeline);

        byte[] body = ChatPayloads.chatRequest(ChatPayloads.CLIENT_MODEL, stream, 256, 820);
        request = pooled(bytes("""
                POST /v1/chat/completions HTTP/1.1\r
                Host: gateway.internal:8080\r
                User-Agent: OpenAI/Python 1.59.7\r
                Accept: application/json\r
                Content-Type: application/json\r
                Authorization: Bearer %s\r
                Content-Length: %d\r
                \r
                """.formatted(GATEWAY_KEY, body.length)), body);
        byte[] completion = stream ? events() : ChatPayloads.completion(ChatPayloads.UPSTREAM_MODEL);
        response = pooled(bytes("""
                HTTP/1.1 200 OK\r
                Content-Type: %s\r
                Content-Length: %d\r
                \r
                """.formatted(stream ? "text/event-stream" : "application/json", completion.length)), completion);

        // One exchange by hand, checking each side sees what a real provider and client would.
        StringBuilder sent = new StringBuilder();
        StringBuilder answered = new StringBuilder();
        onLoop(() -> {
            sendRequest(sent);
            sendResponse(answered);
        });
        expect(sent, "POST /v1/chat/completions ", "\"model\":\"" + ChatPayloads.UPSTREAM_MODEL + "\"",
                "authorization: Bearer " + PROVIDER_KEY);
        expect(answered, "HTTP/1.1 200 OK", "\"model\":\"" + ChatPayloads.CLIENT_MODEL + "\"");
        if (sent.indexOf(GATEWAY_KEY) >= 0 || !downstream.isActive() || !upstream.isActive()) {
            throw new IllegalStateException("gateway key forwarded, or a channel closed after one exchange");
        }
    }

    private boolean shipped() {
        return observer.equals("shipped");
    }

    private ExchangeObserver shippedObserver(GatewayConfig config, GatewayMetrics metrics) throws Exception {
        loop = new DefaultEventLoop();
        accessLog = AccessLog.open("/dev/null", AccessLog.Format.valueOf(
                config.observability().accessLogFormat().name()), config.observability().accessLogQueue());
        return new ExchangeTelemetry(metrics, accessLog, BodyCapture.disabled(), tracer);
    }

    /** Runs {@code work} on the event loop when there is one, else here. */
    private void onLoop(Runnable work) {
        if (loop == null) {
            work.run();
        } else {
            loop.submit(work).syncUninterruptibly();
        }
    }

    private byte[] events() {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        for (int i = 0; i < events; i++) {
            answer.writeBytes(ChatPayloads.chunkEvent(ChatPayloads.UPSTREAM_MODEL, " token" + i));
        }
        answer.writeBytes(ChatPayloads.usageEvent(ChatPayloads.UPSTREAM_MODEL, events));
        answer.writeBytes(ChatPayloads.doneEvent());
        return answer.toByteArray();
    }

    @TearDown
    public void tearDown() {
        downstream.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
        request.release();
        response.release();
        tracer.close();
        if (loop != null) {
            loop.shutdownGracefully().syncUninterruptibly();
            accessLog.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void exchange() {
        onLoop(this::exchanges);
    }

    private void exchanges() {
        for (int i = 0; i < BATCH; i++) {
            sendRequest(null);
            sendResponse(null);
        }
    }

    private void sendRequest(StringBuilder seen) {
        downstream.writeInbound(readOf(request));
        downstream.runPendingTasks();
        drainOutbound(upstream, seen);
    }

    private void sendResponse(StringBuilder seen) {
        upstream.writeInbound(readOf(response));
        downstream.runPendingTasks();
        drainOutbound(downstream, seen);
    }

    /** What one socket read delivers: the bytes in a fresh pooled direct buffer. */
    private static ByteBuf readOf(ByteBuf bytes) {
        return PooledByteBufAllocator.DEFAULT.directBuffer(bytes.readableBytes())
                .writeBytes(bytes, bytes.readerIndex(), bytes.readableBytes());
    }

    /** The socket write: the bytes are gone once flushed (and kept as text in setup, to check them). */
    private static void drainOutbound(EmbeddedChannel channel, StringBuilder seen) {
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            if (seen != null) {
                seen.append(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
            }
            ReferenceCountUtil.release(msg);
        }
    }

    /** Allocator as in {@code GatewayServer}'s child option; EmbeddedChannel's default would differ. */
    private static EmbeddedChannel channel(ChannelHandler... handlers) throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(false, false, handlers);
        channel.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        channel.register();
        return channel;
    }

    private static ByteBuf pooled(byte[] head, byte[] body) {
        return PooledByteBufAllocator.DEFAULT.directBuffer(head.length + body.length).writeBytes(head).writeBytes(body);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static void expect(CharSequence text, String... parts) {
        for (String part : parts) {
            if (!text.toString().contains(part)) {
                throw new IllegalStateException("expected '" + part + "' in:\n" + text);
            }
        }
    }
}
