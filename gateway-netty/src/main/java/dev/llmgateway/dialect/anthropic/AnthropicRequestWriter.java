package dev.llmgateway.dialect.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.dialect.ParameterHoldingWriter;
import dev.llmgateway.dialect.ResponseFormat;
import dev.llmgateway.dialect.Role;
import dev.llmgateway.dialect.ToolChoice;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes an Anthropic Messages request ({@code POST /v1/messages}) from neutral request events, for clients of
 * another dialect. What Anthropic's API insists on and other APIs do not:
 * <ul>
 *   <li>{@code max_tokens} is required: the client's, else the route's default;</li>
 *   <li>the system prompt is a top-level field: every system text, joined with a blank line, written after the
 *   conversation so that one coming between turns is kept too;</li>
 *   <li>turns alternate: consecutive turns of one role become one message (tool results first, as they come),
 *   and a message is only opened once it has a block, so none is ever empty;</li>
 *   <li>temperature is 0 to 1: higher values are clamped to 1 (not rescaled);</li>
 *   <li>tool call ids match {@code [a-zA-Z0-9_-]+}: other characters (a Gemini signature riding in an id) become
 *   {@code _}, the same way in the call and in its result;</li>
 *   <li>structured output has no switch: a JSON answer is asked for as a forced call of the tool
 *   {@value #JSON_TOOL}, which {@link AnthropicAnswerDecoder} turns back into text;</li>
 *   <li>thinking needs a budget of at least 1024 tokens below max_tokens and no temperature, top_k or top_p, is not
 *   allowed with a forced tool, and (with tools) wants every earlier tool-using turn to carry its thinking block:
 *   where that cannot hold, the request goes without thinking rather than fail.</li>
 * </ul>
 * Penalties and seeds have no Anthropic equivalent and are left out; {@code n} above 1 is refused.
 */
public final class AnthropicRequestWriter extends ParameterHoldingWriter {
    /** The tool a structured-output request is forced to call. */
    public static final String JSON_TOOL = "json_response";
    private static final long MIN_THINKING_BUDGET = 1024;

    private final JsonGenerator out;
    private final long defaultMaxTokens;
    private final StringBuilder system = new StringBuilder();
    private boolean messagesOpen;
    /** The role of the message whose content array is open, or null. */
    private Role openRole;
    private Role pendingRole;
    private boolean turnHasThinking;
    private boolean turnHasToolUse;
    private boolean toolTurnWithoutThinking;
    private boolean toolsOpen;

    public AnthropicRequestWriter(JsonGenerator out, String apiModel, long defaultMaxTokens) {
        this.out = out;
        this.defaultMaxTokens = defaultMaxTokens;
        write(() -> {
            out.writeStartObject();
            out.writeStringField("model", apiModel);
        });
    }

    /** True when the request asks for JSON through {@link #JSON_TOOL}: the answer's decoder must know. */
    public boolean usesJsonTool() {
        return heldResponseFormat() != null;
    }

    @Override
    public void system(String text) {
        if (!text.isEmpty()) {
            system.append(system.length() == 0 ? "" : "\n\n").append(text);
        }
    }

    @Override
    public void startMessage(Role role) {
        pendingRole = role;
    }

    @Override
    public void text(String text) {
        if (text.isEmpty()) {
            return; // Anthropic refuses empty text blocks
        }
        block("text", () -> out.writeStringField("text", text));
    }

    @Override
    public void image(String mediaType, ByteSpan base64, String url) {
        block("image", () -> {
            out.writeObjectFieldStart("source");
            if (base64 != null) {
                out.writeStringField("type", "base64");
                out.writeStringField("media_type", mediaType);
                out.writeFieldName("data");
                base64.writeAsString(out);
            } else {
                out.writeStringField("type", "url");
                out.writeStringField("url", url);
            }
            out.writeEndObject();
        });
    }

    @Override
    public void toolCall(String id, String name, ByteSpan arguments) {
        block("tool_use", () -> {
            out.writeStringField("id", toolUseId(id));
            out.writeStringField("name", name);
            out.writeFieldName("input");
            arguments.copyJson(out);
        });
        turnHasToolUse = true;
    }

    @Override
    public void toolResult(String toolCallId, String content, boolean isError) {
        block("tool_result", () -> {
            out.writeStringField("tool_use_id", toolUseId(toolCallId));
            out.writeStringField("content", content);
            if (isError) {
                out.writeBooleanField("is_error", true);
            }
        });
    }

    @Override
    public void reasoning(String text, String signature) {
        if (signature == null || signature.isEmpty()) {
            return; // Anthropic only takes back thinking it signed
        }
        block("thinking", () -> {
            out.writeStringField("thinking", text);
            out.writeStringField("signature", signature);
        });
        turnHasThinking = true;
    }

    @Override
    public void redactedReasoning(String data) {
        block("redacted_thinking", () -> out.writeStringField("data", data));
        turnHasThinking = true;
    }

    @Override
    public void endMessage() {
        // The message stays open: the next turn may have the same role and join it.
    }

    @Override
    public void tool(String name, String description, ByteSpan parameters) {
        closeMessages();
        write(() -> writeTool(name, description, parameters));
    }

    @Override
    public void candidates(int n) throws Untranslatable {
        throw new Untranslatable("unsupported_value", "n",
                "Anthropic models return one answer per request; n must be 1.");
    }

    @Override
    public void end() {
        closeMessages();
        write(() -> {
            ResponseFormat responseFormat = heldResponseFormat();
            if (responseFormat != null) {
                writeTool(JSON_TOOL, "Respond with the answer as this tool's input: a JSON object.",
                        responseFormat == ResponseFormat.JSON_SCHEMA ? heldResponseSchema() : null);
            }
            if (toolsOpen) {
                out.writeEndArray();
                writeToolChoice();
            }
            if (system.length() > 0) {
                out.writeStringField("system", system.toString());
            }
            Long maxTokens = heldMaxTokens();
            long max = maxTokens != null && maxTokens > 0 ? maxTokens : defaultMaxTokens;
            out.writeNumberField("max_tokens", max);
            long thinkingBudget = thinkingBudget();
            if (thinkingAllowed(thinkingBudget, max)) {
                out.writeObjectFieldStart("thinking");
                out.writeStringField("type", "enabled");
                out.writeNumberField("budget_tokens", Math.min(thinkingBudget, max - 1));
                out.writeEndObject();
            } else {
                if (heldTemperature() != null) {
                    out.writeNumberField("temperature", Math.min(1.0, Math.max(0.0, heldTemperature())));
                }
                if (heldTopP() != null) {
                    out.writeNumberField("top_p", heldTopP());
                }
                Long topK = heldTopK();
                if (topK != null && topK >= 0) {
                    out.writeNumberField("top_k", topK);
                }
            }
            List<String> stops = heldStopSequences();
            if (stops != null && !stops.isEmpty()) {
                out.writeFieldName("stop_sequences");
                out.writeArray(stops.toArray(String[]::new), 0, stops.size());
            }
            if (heldUser() != null) {
                out.writeObjectFieldStart("metadata");
                out.writeStringField("user_id", heldUser());
                out.writeEndObject();
            }
            if (heldStream()) {
                out.writeBooleanField("stream", true); // Anthropic streams always report usage
            }
            out.writeEndObject();
        });
    }

    /** The budget asked for, else the OpenAI effort's equivalent; -1 for no thinking. */
    private long thinkingBudget() {
        long budget = heldReasoningBudget();
        String effort = heldReasoningEffort();
        return budget > 0 ? budget : switch (effort == null ? "" : effort) {
            case "low" -> 1024;
            case "medium" -> 4096;
            case "high" -> 16384;
            default -> -1; // "minimal" or unknown: no thinking
        };
    }

    private boolean thinkingAllowed(long thinkingBudget, long max) {
        ToolChoice toolChoice = heldToolChoice();
        boolean forcedTool = heldResponseFormat() != null || toolChoice == ToolChoice.REQUIRED
                || toolChoice == ToolChoice.TOOL;
        return thinkingBudget >= MIN_THINKING_BUDGET && Math.min(thinkingBudget, max - 1) >= MIN_THINKING_BUDGET
                && !forcedTool && !toolTurnWithoutThinking;
    }

    private void writeToolChoice() throws IOException {
        boolean jsonTool = heldResponseFormat() != null;
        ToolChoice choice = jsonTool ? ToolChoice.TOOL : heldToolChoice();
        if (choice == null && heldParallelToolCalls() == null) {
            return;
        }
        out.writeObjectFieldStart("tool_choice");
        switch (choice == null ? ToolChoice.AUTO : choice) {
            case AUTO -> out.writeStringField("type", "auto");
            case NONE -> out.writeStringField("type", "none");
            case REQUIRED -> out.writeStringField("type", "any");
            case TOOL -> {
                out.writeStringField("type", "tool");
                out.writeStringField("name", jsonTool ? JSON_TOOL : heldToolChoiceName());
            }
        }
        if (Boolean.FALSE.equals(heldParallelToolCalls()) && choice != ToolChoice.NONE) {
            out.writeBooleanField("disable_parallel_tool_use", true);
        }
        out.writeEndObject();
    }

    /** One entry of {@code tools}, which it opens with the first. */
    private void writeTool(String name, String description, ByteSpan parameters) throws IOException {
        if (!toolsOpen) {
            out.writeArrayFieldStart("tools");
            toolsOpen = true;
        }
        out.writeStartObject();
        out.writeStringField("name", name);
        if (description != null) {
            out.writeStringField("description", description);
        }
        out.writeFieldName("input_schema");
        if (parameters != null) {
            parameters.copyJson(out);
        } else {
            out.writeStartObject();
            out.writeStringField("type", "object");
            out.writeEndObject();
        }
        out.writeEndObject();
    }

    /**
     * Writes one content block of {@code type} into the message of the pending role, opening (or continuing) it;
     * {@code members} writes the block's other members.
     */
    private void block(String type, Write members) {
        write(() -> {
            if (!messagesOpen) {
                out.writeArrayFieldStart("messages");
                messagesOpen = true;
            }
            if (openRole != pendingRole) {
                endOpenMessage();
                out.writeStartObject();
                out.writeStringField("role", pendingRole == Role.USER ? "user" : "assistant");
                out.writeArrayFieldStart("content");
                openRole = pendingRole;
            }
            out.writeStartObject();
            out.writeStringField("type", type);
            members.write();
            out.writeEndObject();
        });
    }

    private void endOpenMessage() throws IOException {
        if (openRole == null) {
            return;
        }
        out.writeEndArray();
        out.writeEndObject();
        if (openRole == Role.ASSISTANT && turnHasToolUse && !turnHasThinking) {
            toolTurnWithoutThinking = true;
        }
        turnHasThinking = false;
        turnHasToolUse = false;
        openRole = null;
    }

    private void closeMessages() {
        write(() -> {
            endOpenMessage();
            if (messagesOpen) {
                out.writeEndArray();
                messagesOpen = false;
            }
        });
    }

    /** Anthropic's id pattern is {@code [a-zA-Z0-9_-]+}. */
    private static String toolUseId(String id) {
        StringBuilder safe = null;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
                    || c == '-';
            if (!allowed && safe == null) {
                safe = new StringBuilder(id.length()).append(id, 0, i);
            }
            if (safe != null) {
                safe.append(allowed ? c : '_');
            }
        }
        return safe == null ? (id.isEmpty() ? "_" : id) : safe.toString();
    }

    @FunctionalInterface
    private interface Write {
        void write() throws IOException;
    }

    private static void write(Write write) {
        try {
            write.write();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
