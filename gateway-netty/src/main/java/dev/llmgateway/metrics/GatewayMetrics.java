package dev.llmgateway.metrics;

import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.cost.Usd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;
import io.prometheus.client.Histogram;
import io.prometheus.client.exporter.common.TextFormat;
import io.prometheus.client.hotspot.DefaultExports;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The gateway's Prometheus metrics, in a registry of their own. Recording methods run on event loops: they only
 * touch simpleclient's lock-free children (adders), looked up by label values in simpleclient's own concurrent
 * map, or for a finished request's series kept per thread ({@link RequestSeries}). Label values are never null: a
 * missing api key, provider or endpoint is {@code none}, a missing model {@code other}.
 */
public final class GatewayMetrics {
    /** Current totals of one provider's upstream pools, summed over event loops. */
    public record PoolStats(int open, int idle, int pendingAcquires) {
    }

    private static final String NONE = "none";
    private static final String OTHER = "other";
    private static final double NANOS_PER_SECOND = 1e9;
    /** Status label strings made once, so recording a request allocates no status text. */
    private static final String[] STATUS = new String[600];

    static {
        for (int i = 0; i < STATUS.length; i++) {
            STATUS[i] = Integer.toString(i);
        }
    }

    private final CollectorRegistry registry = new CollectorRegistry(true);
    private final PoolCollector pools = new PoolCollector();
    private final CircuitCollector circuits = new CircuitCollector();
    private final DroppedLinesCollector droppedLines = new DroppedLinesCollector();
    private final SpanExportCollector spans = new SpanExportCollector();

    private final Counter requests = Counter.build("llm_requests_total", "Requests finished.")
            .labelNames("api_key", "model", "provider", "endpoint", "status").withoutExemplars().register(registry);
    private final Counter tokens = Counter.build("llm_tokens_total", "Tokens counted from upstream usage.")
            .labelNames("api_key", "model", "provider", "type").withoutExemplars().register(registry);
    private final Counter cost = Counter.build("llm_cost_usd_total",
                    "What requests cost in USD, from the provider's usage at the price table's rates.")
            .labelNames("api_key", "model", "provider").withoutExemplars().register(registry);
    private final Histogram duration = Histogram.build("llm_request_duration_seconds",
                    "Request duration, from the first request byte to the last response byte.")
            .labelNames("model", "provider", "endpoint", "stream")
            .buckets(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
            .withoutExemplars().register(registry);
    private final Counter errors = Counter.build("llm_errors_total", "Requests that ended in an error.")
            .labelNames("api_key", "model", "provider", "endpoint", "error_type").withoutExemplars()
            .register(registry);
    private final Histogram timeToFirstToken = Histogram.build("llm_time_to_first_token_seconds",
                    "Time from the request to the first token sent to the client.")
            .labelNames("model", "provider")
            .buckets(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60)
            .withoutExemplars().register(registry);
    private final Histogram overhead = Histogram.build("llm_gateway_overhead_seconds",
                    "Time spent in the gateway itself, excluding waiting for the upstream.")
            .labelNames("endpoint", "stream")
            .buckets(0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                    0.05, 0.1)
            .withoutExemplars().register(registry);
    private final Gauge inFlight = Gauge.build("llm_requests_in_flight", "Requests started and not yet finished.")
            .register(registry);
    private final Counter streamOutcomes = Counter.build("llm_stream_outcomes_total", "How streamed requests ended.")
            .labelNames("model", "provider", "outcome").withoutExemplars().register(registry);
    private final Counter retries = Counter.build("llm_retries_total", "Upstream attempts retried.")
            .labelNames("provider").withoutExemplars().register(registry);
    private final Counter keyCooldowns = Counter.build("llm_upstream_key_cooldowns_total",
                    "Upstream keys put to rest, by index in the provider's api_keys (never the key).")
            .labelNames("provider", "key_index", "reason").withoutExemplars().register(registry);
    private final Counter keysRejected = Counter.build("llm_upstream_key_rejected_total",
                    "Provider answers that rejected the gateway's own credentials (401/403, Gemini's API_KEY_INVALID).")
            .labelNames("provider").withoutExemplars().register(registry);
    private final Counter fallbacks = Counter.build("llm_fallbacks_total", "Requests moved to a fallback model.")
            .labelNames("from_model", "to_model").withoutExemplars().register(registry);
    private final Counter configReloads = Counter.build("llm_config_reloads_total", "Configuration reloads.")
            .labelNames("result").withoutExemplars().register(registry);
    private final Counter connectionsRejected = Counter.build("llm_connections_rejected_total",
            "Client connections closed at once because server.max_connections were open.").register(registry);

    /** The children of the metrics above that every finished request records into, kept per thread. */
    private final RequestSeries requestSeries = new RequestSeries(requests, tokens, cost, duration, errors,
            timeToFirstToken, overhead, streamOutcomes);

    private final Counter stalledClientsClosed = Counter.build("llm_stalled_clients_closed_total",
            "Client connections closed because the client read nothing for server.stalled_client_timeout.")
            .register(registry);

    public GatewayMetrics() {
        registry.register(pools);
        registry.register(circuits);
        registry.register(droppedLines);
        registry.register(spans);
        registry.register(new NettyMemoryCollector());
        DefaultExports.register(registry);
    }

    public CollectorRegistry registry() {
        return registry;
    }

    public void requestStarted() {
        inFlight.inc();
    }

    /** Records everything about a finished request and ends its in-flight count. */
    public void requestFinished(ExchangeRecord r) {
        inFlight.dec();
        RequestSeries.Labels series = requestSeries.of(orNone(r.keyName()), orOther(r.modelLabel()),
                orNone(r.provider()), orNone(r.endpoint()), r.stream());

        series.requests(status(r.status())).inc();
        addTokens(series, 0, r.inputTokens());
        addTokens(series, 1, r.outputTokens());
        addTokens(series, 2, r.cachedInputTokens());
        addTokens(series, 3, r.cacheWriteTokens());
        addTokens(series, 4, r.reasoningTokens());
        if (r.costPicos() > 0) {
            series.cost().inc(Usd.toDouble(r.costPicos()));
        }
        series.duration().observe(r.durationNanos() / NANOS_PER_SECOND);
        if (r.errorType() != null) {
            series.errors(r.errorType()).inc();
        }
        if (r.timeToFirstTokenNanos() >= 0) {
            series.timeToFirstToken().observe(r.timeToFirstTokenNanos() / NANOS_PER_SECOND);
        }
        if (r.overheadNanos() >= 0) {
            series.overhead().observe(r.overheadNanos() / NANOS_PER_SECOND);
        }
        if (r.stream()) {
            series.streamOutcome(r.outcome()).inc();
        }
    }

    public void retry(String provider) {
        retries.labels(orNone(provider)).inc();
    }

    /** @param reason {@code rate_limited} (429) or {@code auth_failed} (401/403, Gemini's 400 API_KEY_INVALID) */
    public void keyCooldown(String provider, int keyIndex, String reason) {
        keyCooldowns.labels(orNone(provider), keyIndex < STATUS.length ? STATUS[keyIndex] : Integer.toString(keyIndex),
                reason).inc();
    }

    public void keyRejected(String provider) {
        keysRejected.labels(orNone(provider)).inc();
    }

    public void fallback(String fromModel, String toModel) {
        fallbacks.labels(orOther(fromModel), orOther(toModel)).inc();
    }

    public void configReload(boolean ok) {
        configReloads.labels(ok ? "ok" : "failed").inc();
    }

    public void connectionRejected() {
        connectionsRejected.inc();
    }

    public void stalledClientClosed() {
        stalledClientsClosed.inc();
    }

    /** Sets where the open client connection count comes from; read on the scraping thread. */
    public void openConnections(IntSupplier open) {
        Gauge.build("llm_connections_open", "Open client connections on the main listener.").create()
                .setChild(new Gauge.Child() {
                    @Override
                    public double get() {
                        return open.getAsInt();
                    }
                }).register(registry);
    }

    /**
     * Sets where the upstream pool gauges come from. {@code stats} is called on the scraping thread at each scrape,
     * so it must read pool counts safely from outside their event loops (e.g. counters each loop publishes).
     */
    public void poolStats(Supplier<Map<String, PoolStats>> stats) {
        pools.source(stats);
    }

    /** Where the circuit gauge comes from: provider → 0 closed, 1 half-open, 2 open (read at scrape time). */
    public void circuitStates(Supplier<Map<String, Integer>> states) {
        circuits.source(states);
    }

    /** Where the dropped-line counts of the access log and the body capture come from (read at scrape time). */
    public void droppedLines(LongSupplier accessLog, LongSupplier capture) {
        droppedLines.sources(accessLog, capture);
    }

    /** Where the count of refused requests' access-log lines dropped over their rate comes from (scrape time). */
    public void droppedRefusalLines(LongSupplier refusals) {
        droppedLines.refusals(refusals);
    }

    /** Where the trace exporter's counts of dropped and failed spans come from (read at scrape time). */
    public void spans(LongSupplier dropped, LongSupplier failed) {
        spans.sources(dropped, failed);
    }

    /** Content type for a scrape answering {@code acceptHeader}: OpenMetrics if asked for, else text 0.0.4. */
    public String contentType(String acceptHeader) {
        return TextFormat.chooseContentType(acceptHeader);
    }

    /**
     * Writes the exposition into a new buffer that the caller owns and must release (or write, which releases it).
     * Call it from a small executor, not an event loop: a scrape costs about half a millisecond of CPU, and the
     * JVM collectors read {@code /proc} files and take a safepoint for thread states.
     */
    public ByteBuf scrape(ByteBufAllocator alloc, String acceptHeader) {
        ByteBuf buf = alloc.buffer(16 * 1024);
        try (Writer out = new OutputStreamWriter(new ByteBufOutputStream(buf), StandardCharsets.UTF_8)) {
            TextFormat.writeFormat(contentType(acceptHeader), out, registry.metricFamilySamples());
        } catch (IOException e) {
            buf.release();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            buf.release();
            throw e;
        }
        return buf;
    }

    /** @param type an index into {@link RequestSeries#TOKEN_TYPES} */
    private static void addTokens(RequestSeries.Labels series, int type, long count) {
        if (count >= 0) {
            series.tokens(type).inc(count);
        }
    }

    private static String status(int status) {
        return status >= 0 && status < STATUS.length ? STATUS[status] : Integer.toString(status);
    }

    private static String orNone(String s) {
        return s == null || s.isEmpty() ? NONE : s;
    }

    private static String orOther(String s) {
        return s == null || s.isEmpty() ? OTHER : s;
    }
}
