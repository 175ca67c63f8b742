package dev.llmgateway.dialect.openai;

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
 * Writes an OpenAI Chat Completions request, for api.openai.com ({@code openAiPlatform}) or an OpenAI-compatible
 * server (vLLM, Ollama...), from neutral request events: one JSON object to {@code out}, which the caller flushes.
 *
 * <p>Shape: the system texts before the first turn become one leading {@code system} message (joined with a blank
 * line); a system text later in the conversation (Anthropic's mid-conversation system message) is a
 * {@code system} message in its place, after the open run's message, as OpenAI's API takes one anywhere. Consecutive
 * turns of one role are merged into one run: a user run writes each tool result as its own {@code tool} message
 * as it comes, then the run's text and images as one {@code user} message (a plain string when it is a single
 * text), so tool results always directly follow the assistant's calls; an assistant run writes its tool calls as
 * they come and its text, joined with a blank line, as {@code content} (null when there is none). Reasoning from
 * earlier turns is dropped (chat completions take none back); a tool result's error flag has no OpenAI field and
 * is dropped, its text goes as it is. Messages are written as they come; only the user text and images of the
 * current run and the scalar parameters are held (and written at {@link #end()}).
 *
 * <p>Parameters: {@code max_completion_tokens} on the platform, {@code max_tokens} elsewhere; {@code top_k} only
 * off the platform; {@code tool_choice} and {@code parallel_tool_calls} (false only, true is the default) only
 * with tools; a reasoning effort as {@code reasoning_effort}, a token budget (Anthropic, Gemini) dropped, since
 * non-reasoning models reject {@code reasoning_effort}; a streamed request always asks for usage, which the
 * gateway needs for accounting; a JSON schema goes without {@code strict} (schemas from other dialects rarely
 * meet strict mode's rules).
 *
 * <p>{@code out} must write UTF-8 bytes (a generator over an OutputStream, as {@link dev.llmgateway.json.JsonOutput}
 * makes): base64 image data and tool arguments are written as raw UTF-8. ByteSpans are written before the call
 * that passes them returns, except a user run's image data, written when the run ends (at the next assistant
 * turn, tool or {@link #end()}); the request body they point into must outlive the writer's use. No buffers are
 * held or released.
 */
public final class OpenAiRequestWriter extends ParameterHoldingWriter {
    private static final String BLANK_LINE = "\n\n";
    /** OpenAI's limit; compatible servers take more. */
    private static final int PLATFORM_MAX_STOPS = 4;

    private final JsonGenerator out;
    private final String apiModel;
    private final boolean openAiPlatform;

    private StringBuilder system;
    private boolean messagesOpen;
    private boolean messagesClosed;
    /** The role of the open run of merged turns, null before the first turn. */
    private Role run;
    private final OpenAiUserMessage userMessage = new OpenAiUserMessage();
    private StringBuilder assistantText;
    private boolean assistantOpen;
    private boolean toolsOpen;
    private final CompactArguments arguments = new CompactArguments();

    public OpenAiRequestWriter(JsonGenerator out, String apiModel, boolean openAiPlatform) {
        this.out = out;
        this.apiModel = apiModel;
        this.openAiPlatform = openAiPlatform;
    }

    @Override
    public void system(String text) {
        if (messagesOpen) {
            writeSystemMessage(text);
            return;
        }
        if (system == null) {
            system = new StringBuilder(text);
        } else {
            system.append(BLANK_LINE).append(text);
        }
    }

    @Override
    public void startMessage(Role role) {
        openMessages();
        if (run != role) {
            endRun();
            run = role;
        }
    }

    @Override
    public void text(String text) {
        if (run == Role.USER) {
            userMessage.text(text);
        } else if (assistantText == null) {
            assistantText = new StringBuilder(text);
        } else {
            assistantText.append(BLANK_LINE).append(text);
        }
    }

    @Override
    public void image(String mediaType, ByteSpan base64, String url) throws Untranslatable {
        if (run != Role.USER) {
            throw new Untranslatable("unsupported_value", "messages",
                    "OpenAI assistant messages cannot hold images.");
        }
        userMessage.image(mediaType, base64, url);
    }

    @Override
    public void toolCall(String id, String name, ByteSpan args) throws Untranslatable {
        if (run != Role.ASSISTANT) {
            throw new Untranslatable("invalid_value", "messages", "Tool calls can only appear in assistant turns.");
        }
        try {
            if (!assistantOpen) {
                out.writeStartObject();
                out.writeStringField("role", "assistant");
                out.writeArrayFieldStart("tool_calls");
                assistantOpen = true;
            }
            out.writeStartObject();
            out.writeStringField("id", id);
            out.writeStringField("type", "function");
            out.writeObjectFieldStart("function");
            out.writeStringField("name", name);
            out.writeFieldName("arguments");
            arguments.writeAsString(args, out);
            out.writeEndObject();
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void toolResult(String toolCallId, String content, boolean isError) throws Untranslatable {
        if (run != Role.USER) {
            throw new Untranslatable("invalid_value", "messages", "Tool results can only appear in user turns.");
        }
        try {
            out.writeStartObject();
            out.writeStringField("role", "tool");
            out.writeStringField("tool_call_id", toolCallId);
            out.writeStringField("content", content);
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void reasoning(String text, String signature) {
        // Chat completions take no reasoning back.
    }

    @Override
    public void redactedReasoning(String data) {
        // As for reasoning: nothing in the chat completions request can carry it.
    }

    @Override
    public void endMessage() {
        // The run stays open: a following turn of the same role merges into it.
    }

    @Override
    public void tool(String name, String description, ByteSpan parameters) {
        closeMessages();
        try {
            if (!toolsOpen) {
                out.writeArrayFieldStart("tools");
                toolsOpen = true;
            }
            out.writeStartObject();
            out.writeStringField("type", "function");
            out.writeObjectFieldStart("function");
            out.writeStringField("name", name);
            if (description != null) {
                out.writeStringField("description", description);
            }
            out.writeFieldName("parameters");
            if (parameters != null) {
                parameters.copyJson(out);
            } else {
                // OpenAI wants an object schema even for a function without parameters.
                out.writeStartObject();
                out.writeStringField("type", "object");
                out.writeObjectFieldStart("properties");
                out.writeEndObject();
                out.writeEndObject();
            }
            out.writeEndObject();
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stopSequences(List<String> stops) throws Untranslatable {
        if (openAiPlatform && stops.size() > PLATFORM_MAX_STOPS) {
            throw new Untranslatable("unsupported_value", "stop_sequences", "This model accepts at most "
                    + PLATFORM_MAX_STOPS + " stop sequences; " + stops.size() + " were given.");
        }
        super.stopSequences(stops);
    }

    @Override
    public void end() {
        closeMessages();
        try {
            if (toolsOpen) {
                out.writeEndArray();
                writeToolChoice();
                if (Boolean.FALSE.equals(heldParallelToolCalls())) {
                    out.writeBooleanField("parallel_tool_calls", false);
                }
            }
            writeParameters();
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeToolChoice() throws IOException {
        ToolChoice choice = heldToolChoice();
        if (choice == null) {
            return;
        }
        switch (choice) {
            case AUTO -> out.writeStringField("tool_choice", "auto");
            case NONE -> out.writeStringField("tool_choice", "none");
            case REQUIRED -> out.writeStringField("tool_choice", "required");
            case TOOL -> {
                out.writeObjectFieldStart("tool_choice");
                out.writeStringField("type", "function");
                out.writeObjectFieldStart("function");
                out.writeStringField("name", heldToolChoiceName());
                out.writeEndObject();
                out.writeEndObject();
            }
        }
    }

    private void writeParameters() throws IOException {
        Long maxTokens = heldMaxTokens();
        if (maxTokens != null && maxTokens >= 0) {
            out.writeNumberField(openAiPlatform ? "max_completion_tokens" : "max_tokens", maxTokens);
        }
        writeNumber("temperature", heldTemperature());
        writeNumber("top_p", heldTopP());
        Long topK = heldTopK();
        if (topK != null && topK >= 0 && !openAiPlatform) {
            out.writeNumberField("top_k", topK);
        }
        writeNumber("presence_penalty", heldPresencePenalty());
        writeNumber("frequency_penalty", heldFrequencyPenalty());
        List<String> stop = heldStopSequences();
        if (stop != null) {
            out.writeFieldName("stop");
            out.writeArray(stop.toArray(String[]::new), 0, stop.size());
        }
        if (heldCandidates() > 1) {
            out.writeNumberField("n", heldCandidates());
        }
        if (heldSeed() != null) {
            out.writeNumberField("seed", heldSeed());
        }
        if (heldUser() != null) {
            out.writeStringField("user", heldUser());
        }
        if (heldResponseFormat() != null) {
            writeResponseFormat();
        }
        if (heldReasoningEffort() != null) {
            out.writeStringField("reasoning_effort", heldReasoningEffort());
        }
        if (heldStream()) {
            out.writeBooleanField("stream", true);
            out.writeObjectFieldStart("stream_options");
            out.writeBooleanField("include_usage", true);
            out.writeEndObject();
        }
    }

    private void writeNumber(String name, Double value) throws IOException {
        if (value != null) {
            out.writeNumberField(name, value);
        }
    }

    private void writeResponseFormat() throws IOException {
        out.writeObjectFieldStart("response_format");
        if (heldResponseFormat() == ResponseFormat.JSON_OBJECT) {
            out.writeStringField("type", "json_object");
        } else {
            out.writeStringField("type", "json_schema");
            out.writeObjectFieldStart("json_schema");
            String name = heldResponseFormatName();
            out.writeStringField("name", name != null ? name : "response");
            if (heldResponseSchema() != null) {
                out.writeFieldName("schema");
                heldResponseSchema().copyJson(out);
            }
            out.writeEndObject();
        }
        out.writeEndObject();
    }

    /** Starts the body and the messages, leading with the system message, once. */
    private void openMessages() {
        if (messagesOpen) {
            return;
        }
        messagesOpen = true;
        try {
            out.writeStartObject();
            out.writeStringField("model", apiModel);
            out.writeArrayFieldStart("messages");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (system != null) {
            writeSystemMessage(system.toString());
            system = null;
        }
    }

    /** A system message where the conversation has got to, after the open run's message. */
    private void writeSystemMessage(String text) {
        endRun();
        try {
            out.writeStartObject();
            out.writeStringField("role", "system");
            out.writeStringField("content", text);
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void closeMessages() {
        if (messagesClosed) {
            return;
        }
        openMessages();
        endRun();
        messagesClosed = true;
        try {
            out.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes what the open run still holds: a user run's text and images, an assistant run's content. */
    private void endRun() {
        try {
            if (run == Role.USER) {
                userMessage.write(out);
            } else if (run == Role.ASSISTANT) {
                writeAssistantContent();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run = null;
    }

    private void writeAssistantContent() throws IOException {
        if (assistantOpen) {
            out.writeEndArray();
            if (assistantText != null) {
                out.writeStringField("content", assistantText.toString());
            } else {
                out.writeNullField("content");
            }
            out.writeEndObject();
        } else if (assistantText != null) {
            out.writeStartObject();
            out.writeStringField("role", "assistant");
            out.writeStringField("content", assistantText.toString());
            out.writeEndObject();
        }
        // An assistant turn with neither (reasoning only) is left out: OpenAI rejects an empty assistant message.
        assistantOpen = false;
        assistantText = null;
    }
}
