package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.ResponseFormat;
import dev.llmgateway.dialect.Role;
import dev.llmgateway.dialect.ToolChoice;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;
import dev.llmgateway.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
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
public final class OpenAiRequestWriter implements RequestEvents {
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
    private final List<Object> userParts = new ArrayList<>();
    private StringBuilder assistantText;
    private boolean assistantOpen;
    private boolean toolsOpen;
    private final ArgumentsBuffer arguments = new ArgumentsBuffer();

    private ToolChoice toolChoice;
    private String toolChoiceName;
    private boolean noParallelToolCalls;
    private long maxTokens = -1;
    private Double temperature;
    private Double topP;
    private long topK = -1;
    private Double presencePenalty;
    private Double frequencyPenalty;
    private List<String> stop;
    private int candidates;
    private Long seed;
    private String user;
    private ResponseFormat responseFormat;
    private String responseFormatName;
    private ByteSpan responseFormatSchema;
    private String reasoningEffort;
    private boolean stream;

    public OpenAiRequestWriter(JsonGenerator out, String apiModel, boolean openAiPlatform) {
        this.out = out;
        this.apiModel = apiModel;
        this.openAiPlatform = openAiPlatform;
    }

    private record Image(String mediaType, ByteSpan base64, String url) {
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
            userParts.add(text);
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
        userParts.add(new Image(mediaType, base64, url));
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
            arguments.writeCompactAsString(args, out);
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
    public void toolChoice(ToolChoice choice, String name) {
        toolChoice = choice;
        toolChoiceName = name;
    }

    @Override
    public void parallelToolCalls(boolean allowed) {
        noParallelToolCalls = !allowed;
    }

    @Override
    public void maxTokens(long tokens) {
        maxTokens = tokens;
    }

    @Override
    public void temperature(double temperature) {
        this.temperature = temperature;
    }

    @Override
    public void topP(double topP) {
        this.topP = topP;
    }

    @Override
    public void topK(long topK) {
        this.topK = topK;
    }

    @Override
    public void presencePenalty(double penalty) {
        presencePenalty = penalty;
    }

    @Override
    public void frequencyPenalty(double penalty) {
        frequencyPenalty = penalty;
    }

    @Override
    public void stopSequences(List<String> stops) throws Untranslatable {
        if (openAiPlatform && stops.size() > PLATFORM_MAX_STOPS) {
            throw new Untranslatable("unsupported_value", "stop_sequences", "This model accepts at most "
                    + PLATFORM_MAX_STOPS + " stop sequences; " + stops.size() + " were given.");
        }
        stop = stops;
    }

    @Override
    public void candidates(int n) {
        candidates = n;
    }

    @Override
    public void seed(long seed) {
        this.seed = seed;
    }

    @Override
    public void user(String user) {
        this.user = user;
    }

    @Override
    public void responseFormat(ResponseFormat format, String name, ByteSpan schema) {
        responseFormat = format;
        responseFormatName = name;
        responseFormatSchema = schema;
    }

    @Override
    public void reasoningEffort(String effort, long budgetTokens) {
        reasoningEffort = effort;
    }

    @Override
    public void stream(boolean includeUsage) {
        stream = true;
    }

    @Override
    public void end() {
        closeMessages();
        try {
            if (toolsOpen) {
                out.writeEndArray();
                writeToolChoice();
                if (noParallelToolCalls) {
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
        if (toolChoice == null) {
            return;
        }
        switch (toolChoice) {
            case AUTO -> out.writeStringField("tool_choice", "auto");
            case NONE -> out.writeStringField("tool_choice", "none");
            case REQUIRED -> out.writeStringField("tool_choice", "required");
            case TOOL -> {
                out.writeObjectFieldStart("tool_choice");
                out.writeStringField("type", "function");
                out.writeObjectFieldStart("function");
                out.writeStringField("name", toolChoiceName);
                out.writeEndObject();
                out.writeEndObject();
            }
        }
    }

    private void writeParameters() throws IOException {
        if (maxTokens >= 0) {
            out.writeNumberField(openAiPlatform ? "max_completion_tokens" : "max_tokens", maxTokens);
        }
        if (temperature != null) {
            out.writeNumberField("temperature", temperature);
        }
        if (topP != null) {
            out.writeNumberField("top_p", topP);
        }
        if (topK >= 0 && !openAiPlatform) {
            out.writeNumberField("top_k", topK);
        }
        if (presencePenalty != null) {
            out.writeNumberField("presence_penalty", presencePenalty);
        }
        if (frequencyPenalty != null) {
            out.writeNumberField("frequency_penalty", frequencyPenalty);
        }
        if (stop != null) {
            out.writeArrayFieldStart("stop");
            for (String s : stop) {
                out.writeString(s);
            }
            out.writeEndArray();
        }
        if (candidates > 1) {
            out.writeNumberField("n", candidates);
        }
        if (seed != null) {
            out.writeNumberField("seed", seed);
        }
        if (user != null) {
            out.writeStringField("user", user);
        }
        if (responseFormat != null) {
            writeResponseFormat();
        }
        if (reasoningEffort != null) {
            out.writeStringField("reasoning_effort", reasoningEffort);
        }
        if (stream) {
            out.writeBooleanField("stream", true);
            out.writeObjectFieldStart("stream_options");
            out.writeBooleanField("include_usage", true);
            out.writeEndObject();
        }
    }

    private void writeResponseFormat() throws IOException {
        out.writeObjectFieldStart("response_format");
        if (responseFormat == ResponseFormat.JSON_OBJECT) {
            out.writeStringField("type", "json_object");
        } else {
            out.writeStringField("type", "json_schema");
            out.writeObjectFieldStart("json_schema");
            out.writeStringField("name", responseFormatName != null ? responseFormatName : "response");
            if (responseFormatSchema != null) {
                out.writeFieldName("schema");
                responseFormatSchema.copyJson(out);
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
                writeUserMessage();
            } else if (run == Role.ASSISTANT) {
                writeAssistantContent();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run = null;
    }

    private void writeUserMessage() throws IOException {
        if (userParts.isEmpty()) {
            return;
        }
        out.writeStartObject();
        out.writeStringField("role", "user");
        if (userParts.size() == 1 && userParts.get(0) instanceof String only) {
            out.writeStringField("content", only);
        } else {
            out.writeArrayFieldStart("content");
            for (Object part : userParts) {
                out.writeStartObject();
                if (part instanceof String text) {
                    out.writeStringField("type", "text");
                    out.writeStringField("text", text);
                } else {
                    writeImagePart((Image) part);
                }
                out.writeEndObject();
            }
            out.writeEndArray();
        }
        out.writeEndObject();
        userParts.clear();
    }

    private void writeImagePart(Image image) throws IOException {
        out.writeStringField("type", "image_url");
        out.writeObjectFieldStart("image_url");
        out.writeFieldName("url");
        if (image.base64 == null) {
            out.writeString(image.url);
        } else {
            // The base64 text stays escaped string contents: prefixed, never decoded.
            byte[] prefix = JsonStringEncoder.getInstance().quoteAsUTF8("data:" + image.mediaType + ";base64,");
            ByteSpan data = image.base64;
            byte[] url = new byte[prefix.length + data.length()];
            System.arraycopy(prefix, 0, url, 0, prefix.length);
            System.arraycopy(data.bytes(), data.offset(), url, prefix.length, data.length());
            out.writeRawUTF8String(url, 0, url.length);
        }
        out.writeEndObject();
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

    /** Re-encodes tool call arguments compactly into a reused buffer, to be written as a JSON string. */
    private static final class ArgumentsBuffer extends ByteArrayOutputStream {
        private JsonGenerator compact;

        void writeCompactAsString(ByteSpan json, JsonGenerator target) throws IOException {
            if (compact == null) {
                compact = Json.FACTORY.createGenerator(this);
                // One document after another into the same buffer: no separator between them.
                compact.setRootValueSeparator(null);
            }
            reset();
            json.copyJson(compact);
            compact.flush();
            target.writeUTF8String(buf, 0, count);
        }
    }
}
