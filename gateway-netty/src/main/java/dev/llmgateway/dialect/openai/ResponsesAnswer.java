package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.AnswerEvents;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.FinishReason;
import dev.llmgateway.dialect.TokenUsage;
import dev.llmgateway.dialect.ToolCallIds;
import dev.llmgateway.json.Json;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What both Responses encoders keep of an answer: its output items in order (a message per run of text, a
 * reasoning item per run of reasoning, a {@code function_call} or {@code custom_tool_call} per tool call), each
 * item's text or arguments (the Responses API repeats them in its done events and final response), the finish
 * reason and the usage; and the one writer of the {@code response} object. The subclass is told when an item
 * opens, grows and closes ({@link #opened}, {@link #grew}, {@link #closed}), which the stream encoder turns into
 * events. A text run and a tool call in one answer are two items, both kept: the tool call never replaces the text.
 * <p>
 * Reasoning: its text becomes the item's summary and the provider's signature its {@code encrypted_content}, which
 * Responses clients send back unchanged in the next turn's input; redacted reasoning (Anthropic) is an item with no
 * summary whose {@code encrypted_content} is marked with {@link #REDACTED}, so that the request reader gives it back
 * as redacted reasoning. A call of one of the request's custom tools (sent to the provider as a function of one
 * string parameter, {@link ResponsesTools}) is a {@code custom_tool_call} whose {@code input} is that parameter.
 * Confined to the exchange's thread.
 */
abstract class ResponsesAnswer implements AnswerEvents {
    /** Marks the {@code encrypted_content} of redacted reasoning (no summary, only data to echo back). */
    static final String REDACTED = "redacted_thinking:";

    enum Kind { MESSAGE, REASONING, FUNCTION_CALL, CUSTOM_TOOL_CALL }

    /** One output item. */
    static final class Item {
        final Kind kind;
        final String id;
        final int outputIndex;
        /** The message's text, the reasoning text, or the call's arguments (a custom call's input once closed). */
        final StringBuilder text = new StringBuilder();
        String callId;
        String name;
        String sealed;
        boolean closed;

        Item(Kind kind, String id, int outputIndex) {
            this.kind = kind;
            this.id = id;
            this.outputIndex = outputIndex;
        }
    }

    final String model;
    final String responseId;
    final long createdAt;
    private final String itemIdPrefix;
    private final Set<String> customTools;
    final List<Item> output = new ArrayList<>();
    /** Tool call items by the answer's tool call index. */
    private final List<Item> calls = new ArrayList<>();
    final TokenUsage usage = new TokenUsage();
    FinishReason finish;

    /**
     * @param model       the model the client asked for
     * @param requestId   the gateway's request id, which the response's and items' ids are made from
     * @param customTools the request's custom tools
     */
    ResponsesAnswer(String model, String requestId, Set<String> customTools) {
        this.model = model;
        this.responseId = "resp_" + requestId;
        this.itemIdPrefix = "_" + requestId + "_";
        this.createdAt = System.currentTimeMillis() / 1000;
        this.customTools = customTools;
    }

    /** An item was added to the output (its id, type and call identity are set). */
    abstract void opened(Item item);

    /** {@code item} grew by {@code chars[offset, offset + length)} (already appended to its text). */
    abstract void grew(Item item, char[] chars, int offset, int length);

    /** {@code item} is complete. */
    abstract void closed(Item item);

    @Override
    public void text(char[] chars, int offset, int length) {
        grow(Kind.MESSAGE, chars, offset, length);
    }

    @Override
    public void reasoning(char[] chars, int offset, int length) {
        grow(Kind.REASONING, chars, offset, length);
    }

    @Override
    public void reasoningSignature(String signature) {
        Item reasoning = lastOpen(Kind.REASONING);
        if (reasoning == null) {
            reasoning = open(Kind.REASONING);
        }
        reasoning.sealed = reasoning.sealed == null ? signature : reasoning.sealed + signature;
    }

    @Override
    public void redactedReasoning(String data) {
        Item item = open(Kind.REASONING);
        item.sealed = REDACTED + data;
        close(item);
    }

    @Override
    public void toolCallStart(int index, String id, String name, String signature) {
        closeOpen(false);
        Item call = newItem(customTools.contains(name) ? Kind.CUSTOM_TOOL_CALL : Kind.FUNCTION_CALL);
        call.callId = ToolCallIds.withSignature(id, signature);
        call.name = name;
        while (calls.size() <= index) {
            calls.add(null);
        }
        calls.set(index, call);
        opened(call);
    }

    @Override
    public void toolCallArguments(int index, char[] chars, int offset, int length) {
        Item call = index < calls.size() ? calls.get(index) : null;
        if (call == null || call.closed || length == 0) {
            return;
        }
        call.text.append(chars, offset, length);
        if (call.kind == Kind.FUNCTION_CALL) {
            grew(call, chars, offset, length);
        }
    }

    @Override
    public void finish(FinishReason reason, String stopSequence) {
        finish = reason;
        closeOpen(true);
    }

    @Override
    public void usage(long input, long cachedInput, long cacheWrite, long cacheWrite1h, long output, long reasoning) {
        usage.report(input, cachedInput, cacheWrite, cacheWrite1h, output, reasoning);
    }

    /** Closes what is still open before the answer's end. */
    final void closeAll() {
        closeOpen(true);
    }

    /** {@code completed}, or {@code incomplete} when the token limit or a content filter cut the answer. */
    final String status() {
        return finish == FinishReason.LENGTH || finish == FinishReason.CONTENT_FILTER ? "incomplete" : "completed";
    }

    private void grow(Kind kind, char[] chars, int offset, int length) {
        Item item = output.isEmpty() ? null : output.get(output.size() - 1);
        if (item == null || item.closed || item.kind != kind) {
            item = open(kind);
        }
        item.text.append(chars, offset, length);
        grew(item, chars, offset, length);
    }

    private Item open(Kind kind) {
        closeOpen(true);
        Item item = newItem(kind);
        opened(item);
        return item;
    }

    private Item newItem(Kind kind) {
        String prefix = switch (kind) {
            case MESSAGE -> "msg";
            case REASONING -> "rs";
            case FUNCTION_CALL -> "fc";
            case CUSTOM_TOOL_CALL -> "ctc";
        };
        Item item = new Item(kind, prefix + itemIdPrefix + output.size(), output.size());
        output.add(item);
        return item;
    }

    private Item lastOpen(Kind kind) {
        for (int i = output.size() - 1; i >= 0; i--) {
            Item item = output.get(i);
            if (item.kind == kind && !item.closed) {
                return item;
            }
        }
        return null;
    }

    /** Closes the open items in output order: all of them, or all but tool calls (which may still grow). */
    private void closeOpen(boolean calls) {
        for (Item item : output) {
            boolean call = item.kind == Kind.FUNCTION_CALL || item.kind == Kind.CUSTOM_TOOL_CALL;
            if (!item.closed && (calls || !call)) {
                close(item);
            }
        }
    }

    private void close(Item item) {
        item.closed = true;
        if (item.kind == Kind.CUSTOM_TOOL_CALL) {
            String input = customInput(item.text);
            item.text.setLength(0);
            item.text.append(input);
        } else if (item.kind == Kind.FUNCTION_CALL && item.text.isEmpty()) {
            item.text.append("{}");
        }
        closed(item);
    }

    /** The {@value ResponsesTools#INPUT} string of a custom tool call's arguments; any other arguments as they are. */
    private static String customInput(CharSequence arguments) {
        String json = arguments.toString();
        try (JsonParser p = Json.FACTORY.createParser(json)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    boolean input = p.currentName().equals(ResponsesTools.INPUT);
                    if (p.nextToken() == JsonToken.VALUE_STRING && input) {
                        return p.getText();
                    }
                    p.skipChildren();
                }
            }
        } catch (IOException notJson) {
            // a model's malformed arguments: given to the client as they are
        }
        return json;
    }

    /** Writes {@code item} as it stands in the output. */
    static void writeItem(JsonGenerator g, Item item) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", item.id);
        String status = item.closed ? "completed" : "in_progress";
        switch (item.kind) {
            case MESSAGE -> {
                g.writeStringField("type", "message");
                g.writeStringField("status", status);
                g.writeArrayFieldStart("content");
                if (item.closed) {
                    writeTextPart(g, item.text);
                }
                g.writeEndArray();
                g.writeStringField("role", "assistant");
            }
            case REASONING -> {
                g.writeStringField("type", "reasoning");
                g.writeArrayFieldStart("summary");
                if (item.closed && !item.text.isEmpty()) {
                    writeSummaryPart(g, item.text);
                }
                g.writeEndArray();
                if (item.closed && item.sealed != null) {
                    g.writeStringField("encrypted_content", item.sealed);
                }
            }
            case FUNCTION_CALL -> {
                g.writeStringField("type", "function_call");
                g.writeStringField("status", status);
                g.writeStringField("arguments", item.closed ? item.text.toString() : "");
                g.writeStringField("call_id", item.callId);
                g.writeStringField("name", item.name);
            }
            case CUSTOM_TOOL_CALL -> {
                g.writeStringField("type", "custom_tool_call");
                g.writeStringField("status", status);
                g.writeStringField("call_id", item.callId);
                g.writeStringField("input", item.closed ? item.text.toString() : "");
                g.writeStringField("name", item.name);
            }
        }
        g.writeEndObject();
    }

    /** {@code {"type":"output_text","annotations":[],"logprobs":[],"text":...}}. */
    static void writeTextPart(JsonGenerator g, CharSequence text) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "output_text");
        g.writeArrayFieldStart("annotations");
        g.writeEndArray();
        g.writeArrayFieldStart("logprobs");
        g.writeEndArray();
        g.writeStringField("text", text.toString());
        g.writeEndObject();
    }

    static void writeSummaryPart(JsonGenerator g, CharSequence text) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "summary_text");
        g.writeStringField("text", text.toString());
        g.writeEndObject();
    }

    /**
     * Writes the {@code response} object: {@code status} {@code in_progress} (its output then empty),
     * {@code completed}, {@code incomplete} or {@code failed} (with {@code error}).
     */
    final void writeResponse(JsonGenerator g, String status, ApiError error) throws IOException {
        boolean started = status.equals("in_progress");
        g.writeStartObject();
        g.writeStringField("id", responseId);
        g.writeStringField("object", "response");
        g.writeNumberField("created_at", createdAt);
        g.writeStringField("status", status);
        g.writeBooleanField("background", false);
        if (error == null) {
            g.writeNullField("error");
        } else {
            g.writeObjectFieldStart("error");
            g.writeStringField("code", error.code() != null ? error.code() : "server_error");
            g.writeStringField("message", error.message());
            g.writeEndObject();
        }
        if (status.equals("incomplete")) {
            g.writeObjectFieldStart("incomplete_details");
            g.writeStringField("reason", finish == FinishReason.LENGTH ? "max_output_tokens" : "content_filter");
            g.writeEndObject();
        } else {
            g.writeNullField("incomplete_details");
        }
        g.writeNullField("instructions");
        g.writeNullField("max_output_tokens");
        g.writeStringField("model", model);
        g.writeArrayFieldStart("output");
        if (!started) {
            for (Item item : output) {
                writeItem(g, item);
            }
        }
        g.writeEndArray();
        g.writeBooleanField("parallel_tool_calls", true);
        g.writeNullField("previous_response_id");
        g.writeBooleanField("store", false);
        g.writeNullField("temperature");
        g.writeStringField("tool_choice", "auto");
        g.writeArrayFieldStart("tools");
        g.writeEndArray();
        g.writeNullField("top_p");
        g.writeStringField("truncation", "disabled");
        if (started || !usage.reported()) {
            g.writeNullField("usage");
        } else {
            writeUsage(g);
        }
        g.writeObjectFieldStart("metadata");
        g.writeEndObject();
        g.writeEndObject();
    }

    /** Responses' usage; a count the provider did not report is written as 0 (the members are required). */
    private void writeUsage(JsonGenerator g) throws IOException {
        long input = Math.max(0, usage.input());
        long output = Math.max(0, usage.output());
        g.writeObjectFieldStart("usage");
        g.writeNumberField("input_tokens", input);
        g.writeObjectFieldStart("input_tokens_details");
        g.writeNumberField("cached_tokens", Math.max(0, usage.cachedInput()));
        g.writeNumberField("cache_write_tokens", Math.max(0, usage.cacheWrite()));
        g.writeEndObject();
        g.writeNumberField("output_tokens", output);
        g.writeObjectFieldStart("output_tokens_details");
        g.writeNumberField("reasoning_tokens", Math.max(0, usage.reasoning()));
        g.writeEndObject();
        g.writeNumberField("total_tokens", input + output);
        g.writeEndObject();
    }
}
