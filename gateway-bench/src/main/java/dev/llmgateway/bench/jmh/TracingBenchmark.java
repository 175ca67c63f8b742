package dev.llmgateway.bench.jmh;

import com.fasterxml.jackson.core.io.SerializedString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.accesslog.Outcome;
import dev.llmgateway.bench.ChatPayloads;
import dev.llmgateway.config.ConfigLoader;
import dev.llmgateway.config.GatewayConfig;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.dialect.SamplingParameters;
import dev.llmgateway.dialect.TokenUsage;
import dev.llmgateway.exchange.RequestBodyScanner;
import dev.llmgateway.json.JsonSpans;
import dev.llmgateway.server.Snapshot;
import dev.llmgateway.tracing.AttemptTrace;
import dev.llmgateway.tracing.RequestTrace;
import dev.llmgateway.tracing.Tracing;
import dev.llmgateway.upstream.Provider;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * All of tracing's work for one plain chat exchange, 100 % sampled, as the gateway does it: on the loop the server
 * span begun from the request's headers, an attempt's client span started (with the sampling settings the
 * gateway's own scan of the request read), {@code traceparent} set upstream and back, the answer's facts taken
 * from the body the relay hands over (with the model's place the relay found in it), both spans filled and ended;
 * then, on the export thread, the spans batched, encoded as OTLP protobuf and posted to a collector on loopback.
 *
 * <p>One invocation is {@link #EXCHANGES} exchanges, which make exactly one export batch (512 spans); it then
 * waits until the collector is at most {@link #IN_FLIGHT} batches behind, so that every span made is exported (none
 * dropped by a full queue) and the export's work falls in the same iterations as the spans'. That work runs on the
 * export thread beside the benchmark's, so the time per op does not show it: read
 * {@code -prof dev.llmgateway.bench.jmh.ProcessCpuProfiler} ({@code cpu.time.norm}: the process's CPU time per
 * exchange, export, HTTP client and the collector's reading included) and {@code -prof gc} (every thread's
 * allocation).
 */
public class TracingBenchmark extends AbstractMicrobenchmark {
    /** One export batch of the batch span processor: 512 spans, two per exchange. */
    static final int EXCHANGES = 256;
    /** Export batches that may be queued or in flight: 1,024 spans, half the queue's 2,048. */
    private static final int IN_FLIGHT = 2;

    private static final String CONFIG = """
            [[api_keys]]
            name = "bench"
            key = "gw-bench-0123456789abcdef0123456789abcdef"
            models = ["*"]

            [providers.up]
            type = "openai_compatible"
            base_url = "http://127.0.0.1:9/v1"
            api_keys = ["sk-bench-provider"]

            [models."%s"]
            provider = "up"
            api_model = "%s"

            [tracing]
            enabled = true
            endpoint = "http://127.0.0.1:%d"
            """;

    private HttpServer collector;
    /** The collector's thread: {@link HttpServer#stop} leaves it running, and a thread left keeps the fork alive. */
    private ExecutorService collectorThread;
    /** Batches the benchmark may be ahead of the collector: the export works beside it, the queue never fills. */
    private final Semaphore batches = new Semaphore(IN_FLIGHT);
    private Tracing tracing;
    private Provider provider;
    private HttpHeaders requestHeaders;
    private ByteBuf requestBody;
    /** What the gateway's one scan of the request (not tracing's work) read for the spans. */
    private SamplingParameters sampling;
    private FullHttpResponse answer;
    /** Where the answer's model is: the relay finds it anyway, to splice it, and hands it over with the body. */
    private long answerModel;
    private final TokenUsage usage = new TokenUsage();
    private final ExchangeRecord record = new ExchangeRecord();

    @Setup
    public void setUp() throws Exception {
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        collectorThread = Executors.newSingleThreadExecutor();
        collector.setExecutor(collectorThread);
        collector.createContext("/v1/traces", this::export);
        collector.start();
        GatewayConfig config = ConfigLoader.parse(CONFIG.formatted(ChatPayloads.CLIENT_MODEL,
                ChatPayloads.UPSTREAM_MODEL, collector.getAddress().getPort()), "bench", Map.of());
        tracing = Tracing.start(config.observability().tracing(), 0);
        provider = Snapshot.of(config).providers().get("up");
        requestHeaders = new DefaultHttpHeaders()
                .set(HttpHeaderNames.HOST, "gateway.internal:8080")
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .set(HttpHeaderNames.AUTHORIZATION, "Bearer gw-bench-0123456789abcdef0123456789abcdef");
        requestBody = pooled(ChatPayloads.chatRequest(ChatPayloads.CLIENT_MODEL, false, 256, 820));
        sampling = RequestBodyScanner.scan(requestBody);
        answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                pooled(ChatPayloads.completion(ChatPayloads.UPSTREAM_MODEL)));
        answer.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        answerModel = JsonSpans.findString(answer.content(), answer.content().readerIndex(),
                answer.content().readableBytes(), new SerializedString("model"));
        usage.report(230, 0, -1, -1, 128, 0);
    }

    @TearDown
    public void tearDown() {
        tracing.close();
        collector.stop(0);
        collectorThread.shutdownNow();
        requestBody.release();
        answer.release();
    }

    @Benchmark
    @OperationsPerInvocation(EXCHANGES)
    public void exchanges() throws InterruptedException {
        for (int i = 0; i < EXCHANGES; i++) {
            exchange();
        }
        if (!batches.tryAcquire(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the collector got no batch in 10 s");
        }
    }

    private void exchange() {
        long received = System.nanoTime();
        RequestTrace trace = tracing.begin(requestHeaders, "POST", "/v1/chat/completions", "chat_completions",
                received);
        AttemptTrace attempt = trace.attempt(provider, ChatPayloads.UPSTREAM_MODEL, ChatPayloads.CLIENT_MODEL, 1,
                sampling, requestBody);
        HttpHeaders upstream = new DefaultHttpHeaders();
        attempt.propagate(upstream);
        attempt.head(answer);
        boolean handed = attempt.takesAnswerFacts(ClientDialect.OPENAI); // the relay asks at the head
        // The answer arrives as one last piece, as a small JSON body does; the relay hands the body over whole.
        LastHttpContent piece = new DefaultLastHttpContent(answer.content());
        attempt.content(piece);
        if (handed) {
            ByteBuf body = answer.content();
            attempt.answered(body, body.readerIndex(), body.writerIndex(), answerModel);
        }
        attempt.ended(AttemptTrace.Outcome.COMPLETED, null, usage, System.nanoTime());
        trace.respond(new DefaultHttpHeaders());
        trace.ended(record.set(System.currentTimeMillis(), "req_0123456789abcdef0123456789abcdef", "bench",
                "127.0.0.1", "POST", "/v1/chat/completions", "chat_completions", ChatPayloads.CLIENT_MODEL,
                ChatPayloads.CLIENT_MODEL, "up", ChatPayloads.UPSTREAM_MODEL, 200, false, 2_000_000,
                3_000_000, 40_000, 230, 128, 0, 1100, 1200, 1, Outcome.COMPLETED, null)
                .traceId(trace.traceId()));
    }

    private void export(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            body.transferTo(OutputStream.nullOutputStream());
            exchange.sendResponseHeaders(200, -1);
        }
        batches.release();
    }

    private static ByteBuf pooled(byte[] bytes) {
        return PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }
}
