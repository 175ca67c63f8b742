package dev.llmgateway.dialect;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.json.ByteSpan;
import dev.llmgateway.json.Json;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Records {@link RequestEvents} as readable lines, one per call, so tests compare a request reader's output with
 * the expected sequence. JSON spans (tool arguments, schemas) are re-emitted compactly, which also proves a span
 * holds exactly one JSON value; base64 spans are shown as the raw string contents they are.
 */
public final class CompactRequestRecorder implements RequestEvents {
    public final List<String> events = new ArrayList<>();

    @Override
    public void system(String text) {
        events.add("system " + text);
    }

    @Override
    public void startMessage(Role role) {
        events.add("message " + role);
    }

    @Override
    public void text(String text) {
        events.add("text " + text);
    }

    @Override
    public void image(String mediaType, ByteSpan base64, String url) {
        events.add("image " + mediaType + " " + (base64 == null ? null : base64.utf8()) + " " + url);
    }

    @Override
    public void toolCall(String id, String name, ByteSpan arguments) {
        events.add("toolCall " + id + " " + name + " " + compact(arguments));
    }

    @Override
    public void toolResult(String toolCallId, String content, boolean isError) {
        events.add("toolResult " + toolCallId + (isError ? " error " : " ") + content);
    }

    @Override
    public void reasoning(String text, String signature) {
        events.add("reasoning " + text + " signature " + signature);
    }

    @Override
    public void redactedReasoning(String data) {
        events.add("redacted " + data);
    }

    @Override
    public void endMessage() {
        events.add("endMessage");
    }

    @Override
    public void tool(String name, String description, ByteSpan parameters) {
        events.add("tool " + name + " " + description + " " + (parameters == null ? null : compact(parameters)));
    }

    @Override
    public void toolChoice(ToolChoice choice, String name) {
        events.add("toolChoice " + choice + (name == null ? "" : " " + name));
    }

    @Override
    public void parallelToolCalls(boolean allowed) {
        events.add("parallelToolCalls " + allowed);
    }

    @Override
    public void maxTokens(long tokens) {
        events.add("maxTokens " + tokens);
    }

    @Override
    public void temperature(double temperature) {
        events.add("temperature " + temperature);
    }

    @Override
    public void topP(double topP) {
        events.add("topP " + topP);
    }

    @Override
    public void topK(long topK) {
        events.add("topK " + topK);
    }

    @Override
    public void presencePenalty(double penalty) {
        events.add("presencePenalty " + penalty);
    }

    @Override
    public void frequencyPenalty(double penalty) {
        events.add("frequencyPenalty " + penalty);
    }

    @Override
    public void stopSequences(List<String> stops) {
        events.add("stopSequences " + stops);
    }

    @Override
    public void candidates(int n) {
        events.add("candidates " + n);
    }

    @Override
    public void seed(long seed) {
        events.add("seed " + seed);
    }

    @Override
    public void user(String user) {
        events.add("user " + user);
    }

    @Override
    public void responseFormat(ResponseFormat format, String name, ByteSpan schema) {
        events.add("responseFormat " + format + " " + name + " " + (schema == null ? null : compact(schema)));
    }

    @Override
    public void reasoningEffort(String effort, long budgetTokens) {
        events.add("reasoningEffort " + effort + " " + budgetTokens);
    }

    @Override
    public void stream(boolean includeUsage) {
        events.add("stream includeUsage=" + includeUsage);
    }

    @Override
    public void end() {
        events.add("end");
    }

    /** The span's JSON value, compact. */
    public static String compact(ByteSpan span) {
        StringWriter text = new StringWriter();
        try (JsonGenerator out = Json.FACTORY.createGenerator(text)) {
            span.copyJson(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
