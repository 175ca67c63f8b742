package dev.llmgateway.dialect;

import dev.llmgateway.json.ByteSpan;

import java.util.ArrayList;
import java.util.List;

/**
 * Records {@link RequestEvents} as lines, one per call: the method's name and its arguments separated by spaces,
 * a {@link ByteSpan} as its UTF-8 text (JSON values as the client wrote them, string contents still escaped).
 */
public final class RequestRecorder implements RequestEvents {
    public final List<String> events = new ArrayList<>();

    private void log(String name, Object... args) {
        StringBuilder line = new StringBuilder(name);
        for (Object arg : args) {
            line.append(' ').append(arg instanceof ByteSpan span ? span.utf8() : String.valueOf(arg));
        }
        events.add(line.toString());
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
        log("image", mediaType, base64, url);
    }

    @Override
    public void toolCall(String id, String name, ByteSpan arguments) {
        log("toolCall", id, name, arguments);
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
        log("tool", name, description, parameters);
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
        log("responseFormat", format, name, schema);
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
