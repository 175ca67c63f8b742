package dev.llmgateway.dialect;

import java.util.ArrayList;
import java.util.List;

/**
 * Records {@link AnswerEvents} as readable lines, one per event, so tests compare a decoder's output with the
 * expected sequence. Adjacent text (or reasoning, or argument) pieces of the same kind are kept apart: how the
 * provider split its text is part of what a stream must preserve.
 */
public final class AnswerRecorder implements AnswerEvents {
    public final List<String> events = new ArrayList<>();

    @Override
    public void start(String id) {
        events.add("start " + id);
    }

    @Override
    public void text(char[] chars, int offset, int length) {
        events.add("text " + new String(chars, offset, length));
    }

    @Override
    public void reasoning(char[] chars, int offset, int length) {
        events.add("reasoning " + new String(chars, offset, length));
    }

    @Override
    public void reasoningSignature(String signature) {
        events.add("signature " + signature);
    }

    @Override
    public void redactedReasoning(String data) {
        events.add("redacted " + data);
    }

    @Override
    public void toolCallStart(int index, String id, String name, String signature) {
        events.add("tool " + index + " " + id + " " + name + (signature == null ? "" : " signature " + signature));
    }

    @Override
    public void toolCallArguments(int index, char[] chars, int offset, int length) {
        events.add("args " + index + " " + new String(chars, offset, length));
    }

    @Override
    public void finish(FinishReason reason, String stopSequence) {
        events.add("finish " + reason + (stopSequence == null ? "" : " " + stopSequence));
    }

    @Override
    public void usage(long input, long cachedInput, long cacheWrite, long cacheWrite1h, long output, long reasoning) {
        events.add("usage in=" + input + " cached=" + cachedInput + " write=" + cacheWrite
                + (cacheWrite1h > 0 ? " write1h=" + cacheWrite1h : "") + " out=" + output + " reasoning=" + reasoning);
    }

    @Override
    public void end() {
        events.add("end");
    }

    @Override
    public void error(ApiError error) {
        events.add("error " + error.status().code() + " " + error.type() + " " + error.code() + " " + error.message());
    }
}
