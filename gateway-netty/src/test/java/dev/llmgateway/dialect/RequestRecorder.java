package dev.llmgateway.dialect;

import dev.llmgateway.json.ByteSpan;

import java.util.ArrayList;
import java.util.List;

/**
 * Records {@link RequestEvents} as lines, one per call, so tests compare a request reader's output with the
 * expected sequence: the method's name and every argument, separated by spaces. A JSON span (tool arguments,
 * schemas) is shown compact, which also proves it holds exactly one JSON value (the client's whitespace is not
 * ours to compare); base64 data as the raw, still-escaped string contents it is.
 */
public final class RequestRecorder implements RequestEvents {
    public final List<String> events = new ArrayList<>();

    private void log(String name, Object... args) {
        StringBuilder line = new StringBuilder(name);
        for (Object arg : args) {
            line.append(' ').append(arg);
        }
        events.add(line.toString());
    }

    private static String json(ByteSpan span) {
        return span == null ? null : JsonCanon.compact(span);
    }

    @Override
    public void system(String text) {
        log("system", text);
    }

    @Override
    public void startMessage(Role role) {
        log("startMessage", role);
    }

    @Override
    public void text(String text) {
        log("text", text);
    }

    @Override
    public void image(String mediaType, ByteSpan base64, String url) {
        log("image", mediaType, base64 == null ? null : base64.utf8(), url);
    }

    @Override
    public void toolCall(String id, String name, ByteSpan arguments) {
        log("toolCall", id, name, json(arguments));
    }

    @Override
    public void toolResult(String toolCallId, String content, boolean isError) {
        log("toolResult", toolCallId, content, isError);
    }

    @Override
    public void reasoning(String text, String signature) {
        log("reasoning", text, signature);
    }

    @Override
    public void redactedReasoning(String data) {
        log("redactedReasoning", data);
    }

    @Override
    public void endMessage() {
        log("endMessage");
    }

    @Override
    public void tool(String name, String description, ByteSpan parameters) {
        log("tool", name, description, json(parameters));
    }

    @Override
    public void toolChoice(ToolChoice choice, String name) {
        log("toolChoice", choice, name);
    }

    @Override
    public void parallelToolCalls(boolean allowed) {
        log("parallelToolCalls", allowed);
    }

    @Override
    public void maxTokens(long tokens) {
        log("maxTokens", tokens);
    }

    @Override
    public void temperature(double temperature) {
        log("temperature", temperature);
    }

    @Override
    public void topP(double topP) {
        log("topP", topP);
    }

    @Override
    public void topK(long topK) {
        log("topK", topK);
    }

    @Override
    public void presencePenalty(double penalty) {
        log("presencePenalty", penalty);
    }

    @Override
    public void frequencyPenalty(double penalty) {
        log("frequencyPenalty", penalty);
    }

    @Override
    public void stopSequences(List<String> stops) {
        log("stopSequences", stops);
    }

    @Override
    public void candidates(int n) {
        log("candidates", n);
    }

    @Override
    public void seed(long seed) {
        log("seed", seed);
    }

    @Override
    public void user(String user) {
        log("user", user);
    }

    @Override
    public void responseFormat(ResponseFormat format, String name, ByteSpan schema) {
        log("responseFormat", format, name, json(schema));
    }

    @Override
    public void reasoningEffort(String effort, long budgetTokens) {
        log("reasoningEffort", effort, budgetTokens);
    }

    @Override
    public void stream(boolean includeUsage) {
        log("stream", includeUsage);
    }

    @Override
    public void end() {
        log("end");
    }
}
