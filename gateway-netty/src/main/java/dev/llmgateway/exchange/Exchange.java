package dev.llmgateway.exchange;

import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.accesslog.Outcome;
import dev.llmgateway.cost.BudgetLedger;
import dev.llmgateway.cost.ModelPrice;
import dev.llmgateway.exchange.Principal;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.dialect.ErrorResponses;
import dev.llmgateway.dialect.TokenUsage;
import dev.llmgateway.exchange.RequestFacts;
import dev.llmgateway.exchange.Route;
import dev.llmgateway.exchange.Endpoint;
import dev.llmgateway.tracing.RequestTrace;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.FastThreadLocal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.LongConsumer;

/**
 * Everything known about one client request, filled in as it moves down the downstream pipeline
 * (endpoint → principal → route), through the proxy and back; at its end it fills its event loop's
 * {@link ExchangeRecord} for metrics and the access log. One typed object instead of channel attributes.
 *
 * <p>Ownership: the exchange owns {@link #request()} from the moment the endpoint handler creates it until it
 * {@linkplain #end ends}. What one route's provider is sent belongs to the proxy, not here.
 * All methods run on the client channel's event loop.
 */
public final class Exchange {
    public static final String ATTEMPTS_HEADER = "x-gateway-attempts";
    public static final String PROVIDER_HEADER = "x-gateway-provider";
    public static final String MODEL_HEADER = "x-gateway-model";
    /** The usage came from the provider's own report. */
    public static final String USAGE_REPORTED = "provider";
    /** The provider reported no (final) usage: counted from what reached the client (an estimate). */
    public static final String USAGE_STREAMED = "streamed";
    /** A prompt's tokens estimated from its bytes when nothing better is known (about 4 bytes a token). */
    private static final int BYTES_PER_TOKEN_ESTIMATE = 4;

    /** One record per event loop, refilled by each exchange that ends there: ending one allocates nothing. */
    private static final FastThreadLocal<ExchangeRecord> RECORDS = new FastThreadLocal<>() {
        @Override
        protected ExchangeRecord initialValue() {
            return new ExchangeRecord();
        }
    };
    /** The client's address as the log shows it, made once per connection rather than once per request. */
    private static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.valueOf(Exchange.class, "clientAddress");

    private final Channel downstream;
    private final FullHttpRequest request;
    private final Endpoint endpoint;
    private final ClientDialect dialect;
    private final String requestId;
    private final long receivedNanos;
    private final long receivedEpochMillis;
    private final ExchangeObserver observer;
    /** {@link RequestTrace#OFF} unless tracing is on: then the server span, from here to {@link #end}. */
    private final RequestTrace trace;
    private final TokenUsage usage = new TokenUsage();
    private Principal principal;
    private Route route;
    private RequestFacts body;
    private int attempts;
    private long overheadNanos;
    private long firstTokenNanos = -1;
    private long bytesOut;
    private long streamedEvents;
    private boolean ended;
    private boolean refused;
    private LongConsumer endListener;
    private BudgetLedger.Hold budgetHold;

    public Exchange(Channel downstream, FullHttpRequest request, Endpoint endpoint, String requestId,
                    long receivedNanos, ExchangeObserver observer) {
        this.downstream = downstream;
        this.request = request;
        this.endpoint = endpoint;
        this.dialect = endpoint == null ? ClientDialect.OPENAI : endpoint.dialect(request.headers());
        this.requestId = requestId;
        this.receivedNanos = receivedNanos;
        this.receivedEpochMillis = System.currentTimeMillis();
        this.observer = observer;
        observer.started();
        this.trace = trace(observer, request, endpoint, receivedNanos);
    }

    private static RequestTrace trace(ExchangeObserver observer, FullHttpRequest request, Endpoint endpoint,
                                      long receivedNanos) {
        return observer.tracing().begin(request.headers(), request.method().name(),
                endpoint == null ? null : endpoint.path(), endpoint == null ? null : endpoint.label(), receivedNanos);
    }

    public Channel downstream() {
        return downstream;
    }

    public FullHttpRequest request() {
        return request;
    }

    /** Null only for an unknown path, which is answered 404 before anything reads it. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /**
     * The API the client speaks: its endpoint's, and for the model list what the request says it is. Unknown paths
     * have no endpoint; their 404 uses OpenAI's shape.
     */
    public ClientDialect dialect() {
        return dialect;
    }

    public String requestId() {
        return requestId;
    }

    public long receivedNanos() {
        return receivedNanos;
    }

    public Principal principal() {
        return principal;
    }

    public void principal(Principal principal) {
        this.principal = principal;
    }

    public Route route() {
        return route;
    }

    public void route(Route route) {
        this.route = route;
    }

    public RequestFacts body() {
        return body;
    }

    public void body(RequestFacts body) {
        this.body = body;
    }

    /** Hears, once, the tokens (input + output, 0 when unknown) the exchange used when it ends. */
    public void onEnd(LongConsumer listener) {
        this.endListener = listener;
    }

    public TokenUsage usage() {
        return usage;
    }

    /** This exchange's trace: its upstream attempts' spans start here. */
    public RequestTrace trace() {
        return trace;
    }

    /** The budget reservation this exchange holds until it ends, then settles with its cost. */
    public void holdBudget(BudgetLedger.Hold hold) {
        this.budgetHold = hold;
    }

    /**
     * What the usage so far costs at the price of the model serving the request, in picodollars; -1 when there is
     * no route or the model has no price.
     */
    public long cost() {
        ModelPrice price = route == null ? null : route.price();
        return price == null ? -1 : price.cost(usage);
    }

    public void attemptStarted() {
        attempts++;
    }

    /** Upstream attempts so far; every proxied response tells the client in {@link #ATTEMPTS_HEADER}. */
    public int attempts() {
        return attempts;
    }

    /** Tells the client who served (the route in use: a fallback's after one) and after how many attempts. */
    public void servedBy(HttpHeaders headers) {
        headers.set(PROVIDER_HEADER, route.provider().name())
                .set(MODEL_HEADER, route.apiModel())
                .setInt(ATTEMPTS_HEADER, attempts);
    }

    /** Adds gateway time (not upstream time) to the overhead measurement. */
    public void addOverhead(long nanos) {
        overheadNanos += nanos;
    }

    public long overheadNanos() {
        return overheadNanos;
    }

    /** One stream event reached the client: the first is the first token; the count estimates a cut stream's output. */
    public void eventStreamed() {
        streamedEvents++;
        firstToken();
    }

    /** The first token (a stream's first data event) reached the client. */
    public void firstToken() {
        if (firstTokenNanos < 0) {
            firstTokenNanos = System.nanoTime();
        }
    }

    /** When the first token reached the client ({@link System#nanoTime()}), or -1. */
    public long firstTokenNanos() {
        return firstTokenNanos;
    }

    public void addBytesOut(long bytes) {
        bytesOut += bytes;
    }

    /** Whether the debug capture is on. */
    public boolean capturing() {
        return observer.capturing();
    }

    /** Offers body bytes to the debug capture (when enabled); the bytes stay the caller's. */
    public void capture(String direction, ByteBuf bytes) {
        observer.capture(requestId, direction, bytes);
    }

    /** Answers with a gateway-made error in the client's dialect and ends the exchange as rejected. */
    public void fail(ApiError error) {
        fail(error, Outcome.REJECTED);
    }

    /** Answers with a gateway-made error; {@code outcome} says whose failure it was. */
    public void fail(ApiError error, Outcome outcome) {
        FullHttpResponse response = errorResponse(error);
        downstream.writeAndFlush(response, downstream.voidPromise());
        end(error.status().code(), outcome, error.code());
    }

    /**
     * Refuses the request at the edge: the error, then the connection closes (its framing is lost, or the rest of
     * the request is not going to be read). Ends as rejected and is reported as a {@linkplain
     * ExchangeObserver#refused refusal}.
     */
    public void refuse(ApiError error) {
        FullHttpResponse response = errorResponse(error);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        downstream.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        refused = true;
        end(error.status().code(), Outcome.REJECTED, error.code());
    }

    private FullHttpResponse errorResponse(ApiError error) {
        FullHttpResponse response = ErrorResponses.response(downstream.alloc(), dialect(), error, requestId);
        if (attempts > 0) {
            servedBy(response.headers());
        }
        trace.respond(response.headers());
        bytesOut += response.content().readableBytes();
        return response;
    }

    /** Answers with a complete response (ownership moves to the channel) and ends the exchange. */
    public void respond(FullHttpResponse response) {
        dialect().identify(response.headers(), requestId);
        trace.respond(response.headers());
        bytesOut += response.content().readableBytes();
        downstream.writeAndFlush(response, downstream.voidPromise());
        end(response.status().code(), Outcome.COMPLETED, null);
    }

    /**
     * Ends the exchange once, whichever way: frees the request and reports the record.
     *
     * @param status    what the client got (499 when it left before any response)
     * @param errorType null on success
     */
    public void end(int status, Outcome outcome, String errorType) {
        if (ended) {
            return;
        }
        ended = true;
        long bytesIn = request.content().readableBytes();
        request.release();
        String usageSource = completeUsage(outcome, bytesIn);
        long cost = cost();
        if (budgetHold != null) {
            budgetHold.settle(Math.max(0, cost), System.currentTimeMillis());
        }
        if (endListener != null) {
            endListener.accept(Math.max(0, usage.input()) + Math.max(0, usage.output()));
        }
        if (observer == ExchangeObserver.NONE) {
            return;
        }
        long now = System.nanoTime();
        ExchangeRecord record = RECORDS.get().set(receivedEpochMillis, requestId,
                principal == null ? null : principal.name(), clientAddress(), request.method().name(), request.uri(),
                endpoint == null ? null : endpoint.label(),
                route == null ? null : route.metricsModel(), body == null ? null : body.model(),
                route == null ? null : route.provider().name(), route == null ? null : route.apiModel(),
                status, body != null && body.stream(),
                firstTokenNanos < 0 ? -1 : firstTokenNanos - receivedNanos, now - receivedNanos,
                route == null ? -1 : overheadNanos,
                usage.input(), usage.output(), usage.cachedInput(), bytesIn, bytesOut, attempts, outcome,
                errorType).cost(cost, usageSource, usage.cacheWrite(), usage.reasoning()).traceId(trace.traceId());
        if (refused) {
            observer.refused(record);
        } else {
            observer.finished(record);
        }
        trace.ended(record);
    }

    /**
     * Where the usage of an answer that reached the client came from: the provider's report, or, when a stream
     * ended without the provider's final count (cut, cancelled, or a server that never reports), what was
     * streamed — one token per event, the prompt from its bytes when the provider did not say — filled in here so
     * that such an answer is charged, not free. Null when no answer reached the client and nothing was reported.
     */
    private String completeUsage(Outcome outcome, long bytesIn) {
        boolean unreported = usage.output() < 0 || outcome != Outcome.COMPLETED && usage.output() < streamedEvents;
        if (streamedEvents == 0 || !unreported) {
            return usage.reported() ? USAGE_REPORTED : null;
        }
        long input = usage.input() >= 0 ? -1 : (bytesIn + BYTES_PER_TOKEN_ESTIMATE - 1) / BYTES_PER_TOKEN_ESTIMATE;
        usage.report(input, -1, -1, -1, streamedEvents, -1);
        return USAGE_STREAMED;
    }

    public boolean ended() {
        return ended;
    }

    /**
     * For a stage that let the exchange wait (an answer from shared state): whether it is over, because it ended
     * meanwhile or because its client went away, in which case it ends here as cancelled (499) and nothing goes on.
     */
    public boolean endIfClientLeft() {
        if (ended || !downstream.isActive()) {
            end(499, Outcome.CANCELLED_BY_CLIENT, null);
            return true;
        }
        return false;
    }

    private String clientAddress() {
        Attribute<String> cached = downstream.attr(CLIENT_ADDRESS);
        String address = cached.get();
        if (address == null) {
            SocketAddress remote = downstream.remoteAddress();
            address = remote instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress()
                    : String.valueOf(remote);
            cached.set(address);
        }
        return address;
    }
}
