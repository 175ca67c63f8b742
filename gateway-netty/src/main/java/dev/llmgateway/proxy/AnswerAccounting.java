package dev.llmgateway.proxy;

import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.dialect.AnswerEvents;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.FinishReason;
import dev.llmgateway.json.SecretScrubber;

/**
 * Passes a translated answer's events to the client's encoder and keeps the exchange's books on the way: token
 * usage (cumulative: the latest report wins), when the first token reached the client, and whether the answer
 * ended, or failed with the provider's own error (the provider's keys masked in its message).
 */
final class AnswerAccounting implements AnswerEvents {
    private final Exchange exchange;
    private final AnswerEvents encoder;
    private final SecretScrubber keys;
    private boolean ended;
    private ApiError error;

    AnswerAccounting(Exchange exchange, AnswerEvents encoder, SecretScrubber keys) {
        this.exchange = exchange;
        this.encoder = encoder;
        this.keys = keys;
    }

    /** {@code error} with the provider's keys masked in its message (a provider may echo the key it was sent). */
    static ApiError masked(ApiError error, SecretScrubber keys) {
        String message = keys.scrub(error.message());
        return message == error.message() ? error : new ApiError(error.status(), error.type(), error.code(),
                error.param(), message, error.retryAfterSeconds());
    }

    /** The answer reached its end. */
    boolean ended() {
        return ended;
    }

    /** The provider's error that ended the answer, or null. */
    ApiError error() {
        return error;
    }

    @Override
    public void start(String id) {
        encoder.start(id);
    }

    @Override
    public void text(char[] chars, int offset, int length) {
        exchange.firstToken();
        encoder.text(chars, offset, length);
    }

    @Override
    public void reasoning(char[] chars, int offset, int length) {
        exchange.firstToken();
        encoder.reasoning(chars, offset, length);
    }

    @Override
    public void reasoningSignature(String signature) {
        encoder.reasoningSignature(signature);
    }

    @Override
    public void redactedReasoning(String data) {
        encoder.redactedReasoning(data);
    }

    @Override
    public void toolCallStart(int index, String id, String name, String signature) {
        exchange.firstToken();
        encoder.toolCallStart(index, id, name, signature);
    }

    @Override
    public void toolCallArguments(int index, char[] chars, int offset, int length) {
        encoder.toolCallArguments(index, chars, offset, length);
    }

    @Override
    public void finish(FinishReason reason, String stopSequence) {
        encoder.finish(reason, stopSequence);
    }

    @Override
    public void usage(long input, long cachedInput, long cacheWrite, long cacheWrite1h, long output, long reasoning) {
        exchange.usage().report(input, cachedInput, cacheWrite, cacheWrite1h, output, reasoning);
        encoder.usage(input, cachedInput, cacheWrite, cacheWrite1h, output, reasoning);
    }

    @Override
    public void end() {
        ended = true;
        encoder.end();
    }

    @Override
    public void error(ApiError providerError) {
        error = masked(providerError, keys);
        encoder.error(error);
    }
}
