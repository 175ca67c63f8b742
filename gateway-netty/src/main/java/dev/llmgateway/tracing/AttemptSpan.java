package dev.llmgateway.tracing;

import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.dialect.SamplingParameters;
import dev.llmgateway.dialect.TokenUsage;
import dev.llmgateway.upstream.Provider;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.List;

/**
 * One upstream attempt's client span (GenAI inference span: {@code chat gpt-4o}), from the attempt's start (the
 * wait for a connection included) to its end, whichever way. Retries and fallbacks are siblings under the server
 * span. Response facts are taken from what the relay reads of the provider's successful answer, or read from it as
 * it passes when the relay does not hand them over or the text is captured ({@link AnswerFacts}); the
 * captured text and the JSON shapes the conventions give it are made on the export thread, from what the loop kept.
 * An attempt of an unsampled trace only names itself upstream.
 */
final class AttemptSpan extends SpanRecord implements AttemptTrace {
    private final ServerSpan request;
    private final boolean sampled;
    private final long startNanos;
    private final String operation;
    private final String providerName;
    private final String apiModel;
    private final String host;
    private final int port;
    private final String gatewayProvider;
    private final String alias;
    private final int number;
    private final SamplingParameters sampling;
    /** Null unless content is captured. */
    private final PromptContent prompt;
    /** Null when the span is not sampled. */
    private final AnswerFacts answer;
    private int status = -1;
    private boolean ended;
    /** The relay hands the answer's facts over: the pieces are not read. */
    private ClientDialect handedOver;

    // The end.
    private Outcome outcome;
    private String errorType;
    private long inputTokens;
    private long outputTokens;
    private long cachedInputTokens;
    private long firstTokenNanos;

    AttemptSpan(ServerSpan request, Provider provider, String apiModel, String alias, int number,
                SamplingParameters sampling) {
        super(request.traceIdHigh, request.traceIdLow, TraceIds.random(), request.spanId, false, request.traceState);
        this.request = request;
        this.sampled = request.sampled();
        this.startNanos = System.nanoTime();
        this.startEpochNanos = request.epochNanos(startNanos);
        this.operation = request.operation();
        this.providerName = GenAi.providerName(provider.type());
        this.apiModel = apiModel;
        this.host = provider.host();
        this.port = provider.port();
        this.gatewayProvider = provider.name();
        this.alias = alias;
        this.number = number;
        this.sampling = sampling;
        this.prompt = request.prompt();
        this.answer = sampled
                ? new AnswerFacts(request.tracing().maxContent(), provider.config().maxSseEventBytes()) : null;
    }

    @Override
    public void propagate(HttpHeaders upstreamRequest) {
        upstreamRequest.set(OtlpTracing.TRACEPARENT, TraceIds.traceparent(traceIdHigh, traceIdLow, spanId, sampled));
    }

    @Override
    public void head(HttpResponse head) {
        if (ended) {
            return;
        }
        status = head.status().code();
        if (answer != null && head.status().codeClass() == HttpStatusClass.SUCCESS) {
            answer.head(head.headers().get(HttpHeaderNames.CONTENT_TYPE));
        }
    }

    @Override
    public void content(HttpContent piece) {
        if (answer != null && !ended && handedOver == null) {
            answer.feed(piece.content(), piece instanceof LastHttpContent);
        }
    }

    @Override
    public boolean takesAnswerFacts(ClientDialect dialect) {
        if (answer == null || ended || answer.capturesText()) {
            return false; // captured text is read from the pieces
        }
        handedOver = dialect;
        return true;
    }

    @Override
    public void answered(ByteBuf bytes, int start, int end, long modelSpan) {
        if (!ended) {
            answer.document(handedOver, bytes, start, end, modelSpan, apiModel);
        }
    }

    @Override
    public void ended(Outcome outcome, String errorType, TokenUsage usage, long firstTokenNanos) {
        if (ended) {
            return;
        }
        ended = true;
        if (!sampled) {
            return;
        }
        answer.release();
        this.outcome = outcome;
        this.errorType = errorType != null ? errorType : status >= 400 ? Integer.toString(status) : null;
        this.inputTokens = usage.input();
        this.outputTokens = usage.output();
        this.cachedInputTokens = usage.cachedInput();
        this.firstTokenNanos = firstTokenNanos;
        this.error = outcome == Outcome.FAILED || outcome == Outcome.FAILED_MID_STREAM || status >= 400;
        this.endEpochNanos = request.epochNanos(System.nanoTime());
        request.tracing().export(this);
    }

    @Override
    int kind() {
        return KIND_CLIENT;
    }

    @Override
    void name(ProtoWriter out) {
        if (operation != null) {
            out.utf8(operation);
            out.ascii(' ');
        }
        out.utf8(apiModel);
    }

    @Override
    void attributes(OtlpEncoder out) {
        out.string(GenAi.OPERATION, operation);
        out.string(GenAi.PROVIDER, providerName);
        out.string(GenAi.REQUEST_MODEL, apiModel);
        out.string(GenAi.SERVER_ADDRESS, host);
        out.integer(GenAi.SERVER_PORT, port);
        out.string(GenAi.GATEWAY_PROVIDER, gatewayProvider);
        out.string(GenAi.MODEL_ALIAS, alias);
        out.integer(GenAi.ATTEMPT, number);
        if (sampling.requestedMaxTokens() >= 0) {
            out.integer(GenAi.MAX_TOKENS, sampling.requestedMaxTokens());
        }
        if (!Double.isNaN(sampling.temperature())) {
            out.floating(GenAi.TEMPERATURE, sampling.temperature());
        }
        if (!Double.isNaN(sampling.topP())) {
            out.floating(GenAi.TOP_P, sampling.topP());
        }
        if (prompt != null) {
            out.content(GenAi.INPUT_MESSAGES, prompt.inputMessages());
            out.content(GenAi.SYSTEM_INSTRUCTIONS, prompt.systemInstructions());
        }
        if (status >= 0) {
            out.integer(GenAi.HTTP_STATUS, status);
        }
        out.string(GenAi.RESPONSE_ID, answer.id());
        out.string(GenAi.RESPONSE_MODEL, answer.model());
        List<String> reasons = answer.finishReasons();
        if (!reasons.isEmpty()) {
            out.strings(GenAi.FINISH_REASONS, reasons);
        }
        String text = answer.text();
        if (text != null && !text.isEmpty()) {
            out.content(GenAi.OUTPUT_MESSAGES, ContentJson.output(text, reasons.isEmpty() ? null : reasons.get(0)));
        }
        if (outcome != Outcome.FAILED) {
            Spans.usage(out, inputTokens, outputTokens, cachedInputTokens);
        }
        if (firstTokenNanos >= 0 && outcome != Outcome.FAILED) {
            out.floating(GenAi.TTFT_MS, Spans.millis(firstTokenNanos - startNanos));
        }
        out.string(GenAi.OUTCOME, outcome.label);
        out.string(GenAi.ERROR_TYPE, errorType);
    }
}
