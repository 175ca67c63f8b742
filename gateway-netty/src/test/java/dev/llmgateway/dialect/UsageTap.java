package dev.llmgateway.dialect;

/** An answer's listener that keeps only its usage, as the exchange does: for tests that price what a decoder read. */
public final class UsageTap implements AnswerEvents {
    public final TokenUsage usage = new TokenUsage();

    @Override
    public void start(String id) {
    }

    @Override
    public void text(char[] chars, int offset, int length) {
    }

    @Override
    public void reasoning(char[] chars, int offset, int length) {
    }

    @Override
    public void reasoningSignature(String signature) {
    }

    @Override
    public void redactedReasoning(String data) {
    }

    @Override
    public void toolCallStart(int index, String id, String name, String signature) {
    }

    @Override
    public void toolCallArguments(int index, char[] chars, int offset, int length) {
    }

    @Override
    public void finish(FinishReason reason, String stopSequence) {
    }

    @Override
    public void usage(long input, long cachedInput, long cacheWrite, long cacheWrite1h, long output, long reasoning) {
        usage.report(input, cachedInput, cacheWrite, cacheWrite1h, output, reasoning);
    }

    @Override
    public void end() {
    }

    @Override
    public void error(ApiError error) {
    }
}
