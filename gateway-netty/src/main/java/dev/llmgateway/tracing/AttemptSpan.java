package dev.llmgateway.tracing;

import dev.llmgateway.dialect.TokenUsage;
import dev.llmgateway.upstream.Provider;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One upstream attempt's client span (GenAI inference span: {@code chat gpt-4o}), from the attempt's start (the
 * wait for a connection included) to its end, whichever way. Retries and fallbacks are siblings under the server
 * span. Response facts are read from the provider's successful answer as it passes ({@link AnswerFacts}).
 */
final class AttemptSpan implements AttemptTrace {
    private final ServerSpan request;
    private final Span span;
    private final long startNanos;
    /** Null when the span does not record. */
    private AnswerFacts answer;
    private int status = -1;
    private boolean ended;

    AttemptSpan(ServerSpan request, Provider provider, String apiModel, String alias, int number) {
        this.request = request;
        this.startNanos = System.nanoTime();
        String operation = request.operation();
        Span span = request.tracing().tracer()
                .spanBuilder(operation == null ? apiModel : operation + " " + apiModel)
                .setSpanKind(SpanKind.CLIENT)
                .setParent(Context.root().with(request.span()))
                .setStartTimestamp(request.epochNanos(startNanos), TimeUnit.NANOSECONDS)
                .startSpan();
        this.span = span;
        if (span.isRecording()) {
            if (operation != null) {
                span.setAttribute(GenAi.OPERATION, operation);
            }
            span.setAttribute(GenAi.PROVIDER, GenAi.providerName(provider.type()));
            span.setAttribute(GenAi.REQUEST_MODEL, apiModel);
            span.setAttribute(GenAi.SERVER_ADDRESS, provider.host());
            span.setAttribute(GenAi.SERVER_PORT, provider.port());
            span.setAttribute(GenAi.GATEWAY_PROVIDER, provider.name());
            span.setAttribute(GenAi.MODEL_ALIAS, alias);
            span.setAttribute(GenAi.ATTEMPT, number);
            parameters(request.parameters());
            this.answer = new AnswerFacts(request.tracing().maxContent(), provider.config().maxSseEventBytes());
        }
    }

    private void parameters(RequestParameters p) {
        if (p == null) {
            return;
        }
        if (p.maxTokens() >= 0) {
            span.setAttribute(GenAi.MAX_TOKENS, p.maxTokens());
        }
        if (!Double.isNaN(p.temperature())) {
            span.setAttribute(GenAi.TEMPERATURE, p.temperature());
        }
        if (!Double.isNaN(p.topP())) {
            span.setAttribute(GenAi.TOP_P, p.topP());
        }
        String input = p.inputMessages();
        if (input != null) {
            span.setAttribute(GenAi.INPUT_MESSAGES, input);
        }
        String system = p.systemInstructions();
        if (system != null) {
            span.setAttribute(GenAi.SYSTEM_INSTRUCTIONS, system);
        }
    }

    @Override
    public void propagate(HttpHeaders upstreamRequest) {
        upstreamRequest.set(OtelTracing.TRACEPARENT, OtelTracing.traceparent(span));
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
        if (answer != null && !ended) {
            answer.feed(piece.content(), piece instanceof LastHttpContent);
        }
    }

    @Override
    public void ended(Outcome outcome, String errorType, TokenUsage usage, long firstTokenNanos) {
        if (ended) {
            return;
        }
        ended = true;
        if (span.isRecording()) {
            answer.release();
            record(outcome, errorType, usage, firstTokenNanos);
        }
        span.end(request.epochNanos(System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void record(Outcome outcome, String errorType, TokenUsage usage, long firstTokenNanos) {
        if (status >= 0) {
            span.setAttribute(GenAi.HTTP_STATUS, status);
        }
        if (answer.id() != null) {
            span.setAttribute(GenAi.RESPONSE_ID, answer.id());
        }
        if (answer.model() != null) {
            span.setAttribute(GenAi.RESPONSE_MODEL, answer.model());
        }
        List<String> reasons = answer.finishReasons();
        if (!reasons.isEmpty()) {
            span.setAttribute(GenAi.FINISH_REASONS, List.copyOf(reasons));
        }
        String text = answer.text();
        if (text != null && !text.isEmpty()) {
            String finish = reasons.isEmpty() ? null : reasons.get(0);
            span.setAttribute(GenAi.OUTPUT_MESSAGES, ContentJson.output(text, finish));
        }
        if (outcome != Outcome.FAILED) {
            Spans.usage(span, usage.input(), usage.output(), usage.cachedInput());
        }
        if (firstTokenNanos >= 0 && outcome != Outcome.FAILED) {
            span.setAttribute(GenAi.TTFT_MS, Spans.millis(firstTokenNanos - startNanos));
        }
        span.setAttribute(GenAi.OUTCOME, outcome.label);
        String error = errorType != null ? errorType : status >= 400 ? Integer.toString(status) : null;
        if (error != null) {
            span.setAttribute(GenAi.ERROR_TYPE, error);
        }
        if (outcome == Outcome.FAILED || outcome == Outcome.FAILED_MID_STREAM || status >= 400) {
            span.setStatus(StatusCode.ERROR);
        }
    }
}
