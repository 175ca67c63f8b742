package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.ResponseFormat;
import dev.llmgateway.dialect.Role;
import dev.llmgateway.dialect.ToolChoice;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;
import dev.llmgateway.json.Json;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an OpenAI Chat Completions request into {@link RequestEvents}, in the order they require whatever the
 * client's key order: a first pass records the top-level values and each message's members (spans into the body,
 * small scalars as read), then the events are emitted from those records: every system and developer message,
 * the rest of the conversation, tools, parameters. Streaming parser only; no trees.
 *
 * <p>Decisions: a system message's text parts are joined with a blank line (one {@code system} call per message);
 * {@code tool} messages and legacy {@code function} messages each become a user turn of their own (writers merge
 * same-role turns); an assistant's {@code reasoning_content} (the DeepSeek/vLLM convention) becomes
 * {@code reasoning(text, "")}; a legacy {@code function_call} gets the id {@code call_fn_<n>}, which the
 * {@code function} message after it answers. Parameters whose silent loss changes what the client gets back
 * ({@code logprobs}, {@code logit_bias}, audio output, {@code web_search_options}) are refused.
 *
 * <p>Ownership: {@code body} is borrowed, never released. The {@link ByteSpan}s given to {@code out} point into the
 * body's heap array (or into one copy of a direct body) and are valid until the body is released, so the writer
 * must be done with them first. On {@link Untranslatable} some events may already have been emitted: discard what
 * the writer wrote.
 */
public final class OpenAiRequestReader {
    private static final byte[] EMPTY_OBJECT = {'{', '}'};
    private static final String BLANK_LINE = "\n\n";

    private final byte[] bytes;
    /** The index just past the body in {@link #bytes}. */
    private final int limit;
    private final List<Message> messages = new ArrayList<>();
    private ByteSpan tools;
    private ByteSpan functions;
    private ToolChoice toolChoice;
    private String toolChoiceName;
    private ToolChoice functionCall;
    private String functionCallName;
    private Boolean parallelToolCalls;
    private Long maxCompletionTokens;
    private Long maxTokens;
    private Double temperature;
    private Double topP;
    private Long topK;
    private Double presencePenalty;
    private Double frequencyPenalty;
    private List<String> stop;
    private Long n;
    private Long seed;
    private String user;
    private String safetyIdentifier;
    private ResponseFormat responseFormat;
    private String responseFormatName;
    private ByteSpan responseFormatSchema;
    private String reasoningEffort;
    private boolean stream;
    private boolean includeUsage;
    private int legacyCalls;

    private OpenAiRequestReader(byte[] bytes, int limit) {
        this.bytes = bytes;
        this.limit = limit;
    }

    public static void read(ByteBuf body, RequestEvents out) throws Untranslatable {
        int length = body.readableBytes();
        byte[] bytes;
        int offset;
        if (body.hasArray()) {
            bytes = body.array();
            offset = body.arrayOffset() + body.readerIndex();
        } else {
            bytes = new byte[length];
            body.getBytes(body.readerIndex(), bytes);
            offset = 0;
        }
        OpenAiRequestReader reader = new OpenAiRequestReader(bytes, offset + length);
        try {
            reader.scan(new ByteSpan(bytes, offset, length));
            reader.emit(out);
        } catch (JsonProcessingException e) {
            throw new Untranslatable("invalid_value", null,
                    "We could not parse the JSON body of your request: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Untranslatable("invalid_value", null, "We could not read the JSON body of your request.");
        }
    }

    /** One entry of {@code messages}, as recorded by the first pass. */
    private static final class Message {
        final int index;
        Kind kind;
        ByteSpan content;
        ByteSpan toolCalls;
        ByteSpan functionCall;
        String toolCallId;
        String reasoning;

        Message(int index) {
            this.index = index;
        }

        String path(String member) {
            return "messages[" + index + "]." + member;
        }
    }

    private enum Kind { SYSTEM, USER, ASSISTANT, TOOL, FUNCTION }

    private JsonParser parser(ByteSpan span) throws IOException {
        return Json.FACTORY.createParser(bytes, span.offset(), span.length());
    }

    /** The value the parser is at (which it then skips), as a span; {@code origin}: where the parser's input starts. */
    private ByteSpan valueSpan(JsonParser p, int origin) throws IOException {
        int start = origin + (int) p.currentTokenLocation().getByteOffset();
        int end;
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            // Found by scanning, not by decoding (the parser skips the string itself on its next token).
            end = closingQuote(start + 1, false) + 1;
        } else {
            p.skipChildren();
            end = origin + (int) p.currentLocation().getByteOffset();
        }
        return new ByteSpan(bytes, start, end - start);
    }

    /**
     * The raw contents of the string the parser is at, when they hold no escape (then they are the decoded text
     * as UTF-8, usable without copying); null when they do. Leaves the token for the parser to skip or decode.
     */
    private ByteSpan unescapedContents(JsonParser p, int origin) {
        int start = origin + (int) p.currentTokenLocation().getByteOffset() + 1;
        int end = closingQuote(start, true);
        return end < 0 ? null : new ByteSpan(bytes, start, end - start);
    }

    /**
     * The index of the quote closing the string whose contents start at {@code from}; -1 at a backslash when
     * {@code stopAtEscape}. An unterminated string ends at the body's end (the parser then fails on it).
     */
    private int closingQuote(int from, boolean stopAtEscape) {
        for (int i = from; i < limit; i++) {
            byte b = bytes[i];
            if (b == '"') {
                return i;
            }
            if (b == '\\') {
                if (stopAtEscape) {
                    return -1;
                }
                i++;
            }
        }
        return stopAtEscape ? -1 : limit - 1;
    }

    // ---- first pass ----

    private void scan(ByteSpan body) throws IOException, Untranslatable {
        ByteSpan messagesSpan = null;
        try (JsonParser p = parser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw invalid(null, "The request body must be a JSON object.");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (p.nextToken() == JsonToken.VALUE_NULL) {
                    if (name.equals("messages")) {
                        throw invalidMessages();
                    }
                    continue;
                }
                if (name.equals("messages")) {
                    if (p.currentToken() != JsonToken.START_ARRAY) {
                        throw invalidMessages();
                    }
                    messagesSpan = valueSpan(p, body.offset());
                } else {
                    member(p, name, body.offset());
                }
            }
        }
        if (messagesSpan == null) {
            throw invalidMessages();
        }
        try (JsonParser p = parser(messagesSpan)) {
            p.nextToken();
            scanMessages(p, messagesSpan.offset());
        }
    }

    /** A top-level member other than {@code messages}; the parser is at its (non-null) value. */
    private void member(JsonParser p, String name, int origin) throws IOException, Untranslatable {
        switch (name) {
            case "tools" -> tools = arraySpan(p, name, origin);
            case "functions" -> functions = arraySpan(p, name, origin);
            case "tool_choice" -> readToolChoice(p);
            case "function_call" -> readFunctionCallChoice(p);
            case "parallel_tool_calls" -> parallelToolCalls = bool(p, name);
            case "max_completion_tokens" -> maxCompletionTokens = integer(p, name);
            case "max_tokens" -> maxTokens = integer(p, name);
            case "temperature" -> temperature = number(p, name);
            case "top_p" -> topP = number(p, name);
            case "top_k" -> topK = integer(p, name);
            case "presence_penalty" -> presencePenalty = number(p, name);
            case "frequency_penalty" -> frequencyPenalty = number(p, name);
            case "stop" -> stop = stops(p);
            case "n" -> n = integer(p, name);
            case "seed" -> seed = integer(p, name);
            case "user" -> user = string(p, name);
            case "safety_identifier" -> safetyIdentifier = string(p, name);
            case "response_format" -> readResponseFormat(p, origin);
            case "reasoning_effort" -> reasoningEffort = string(p, name);
            case "stream" -> stream = bool(p, name);
            case "stream_options" -> readStreamOptions(p);
            case "logprobs" -> refuseIf(bool(p, name), name, "Log probabilities are not available for this model.");
            case "top_logprobs" -> refuseIf(integer(p, name) > 0, name,
                    "Log probabilities are not available for this model.");
            case "logit_bias" -> refuseIf(nonEmptyObject(p, name), name,
                    "logit_bias is not supported for this model.");
            case "audio" -> refuseIf(true, name, "Audio output is not supported for this model.");
            case "modalities" -> refuseIf(modalitiesBeyondText(p), name,
                    "Only text output is supported for this model.");
            case "web_search_options" -> refuseIf(true, name, "Web search is not supported for this model.");
            default -> p.skipChildren();
        }
    }

    private ByteSpan arraySpan(JsonParser p, String name, int origin) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw invalidType(name, "an array");
        }
        return valueSpan(p, origin);
    }

    private void scanMessages(JsonParser p, int origin) throws IOException, Untranslatable {
        int index = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw invalidMessages();
            }
            Message m = new Message(index++);
            String role = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String member = p.currentName();
                JsonToken value = p.nextToken();
                switch (member) {
                    case "role" -> role = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "content" -> m.content = value == JsonToken.VALUE_NULL ? null : valueSpan(p, origin);
                    case "tool_calls" -> m.toolCalls = value == JsonToken.VALUE_NULL ? null : valueSpan(p, origin);
                    case "function_call" ->
                            m.functionCall = value == JsonToken.VALUE_NULL ? null : valueSpan(p, origin);
                    case "tool_call_id" -> m.toolCallId = string(p, m.path(member));
                    case "reasoning_content" -> m.reasoning = string(p, m.path(member));
                    default -> p.skipChildren();
                }
            }
            m.kind = kind(role, m);
            messages.add(m);
        }
        if (messages.isEmpty()) {
            throw invalidMessages();
        }
    }

    private static Kind kind(String role, Message m) throws Untranslatable {
        if (role == null) {
            throw invalid("messages", "Each message must have a string 'role'; " + m.path("role") + " has none.");
        }
        return switch (role) {
            case "system", "developer" -> Kind.SYSTEM;
            case "user" -> Kind.USER;
            case "assistant" -> Kind.ASSISTANT;
            case "tool" -> Kind.TOOL;
            case "function" -> Kind.FUNCTION;
            default -> throw invalid(m.path("role"), "Invalid value: '" + role
                    + "'. Supported values are: 'system', 'developer', 'user', 'assistant', 'tool' and 'function'.");
        };
    }

    private void readToolChoice(JsonParser p) throws IOException, Untranslatable {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            toolChoice = switch (p.getText()) {
                case "auto" -> ToolChoice.AUTO;
                case "none" -> ToolChoice.NONE;
                case "required" -> ToolChoice.REQUIRED;
                default -> throw invalid("tool_choice", "Invalid value: '" + p.getText()
                        + "'. Supported values are: 'none', 'auto' and 'required'.");
            };
            return;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType("tool_choice", "a string or an object");
        }
        String type = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String member = p.currentName();
            p.nextToken();
            if (member.equals("type")) {
                type = string(p, "tool_choice.type");
            } else if (member.equals("function") && p.currentToken() == JsonToken.START_OBJECT) {
                toolChoiceName = functionName(p, "tool_choice.function.name");
            } else {
                p.skipChildren();
            }
        }
        if (!"function".equals(type)) {
            throw unsupported("tool_choice.type", "Only tool_choice of type 'function' can be translated for this"
                    + " model; got '" + type + "'.");
        }
        if (toolChoiceName == null) {
            throw invalid("tool_choice.function.name", "tool_choice.function.name is required.");
        }
        toolChoice = ToolChoice.TOOL;
    }

    /** Legacy {@code function_call}: "auto", "none" or {@code {name}}. */
    private void readFunctionCallChoice(JsonParser p) throws IOException, Untranslatable {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            functionCall = switch (p.getText()) {
                case "auto" -> ToolChoice.AUTO;
                case "none" -> ToolChoice.NONE;
                default -> throw invalid("function_call", "Invalid value: '" + p.getText()
                        + "'. Supported values are: 'none', 'auto' and {\"name\": ...}.");
            };
            return;
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType("function_call", "a string or an object");
        }
        functionCallName = functionName(p, "function_call.name");
        if (functionCallName == null) {
            throw invalid("function_call.name", "function_call.name is required.");
        }
        functionCall = ToolChoice.TOOL;
    }

    /** The {@code name} member of the object the parser is at (which it then leaves). */
    private static String functionName(JsonParser p, String param) throws IOException, Untranslatable {
        String name = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean isName = p.currentName().equals("name");
            p.nextToken();
            if (isName) {
                name = string(p, param);
            } else {
                p.skipChildren();
            }
        }
        return name;
    }

    private void readResponseFormat(JsonParser p, int origin) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType("response_format", "an object");
        }
        String type = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String member = p.currentName();
            p.nextToken();
            if (member.equals("type")) {
                type = string(p, "response_format.type");
            } else if (member.equals("json_schema") && p.currentToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (field.equals("name")) {
                        responseFormatName = string(p, "response_format.json_schema.name");
                    } else if (field.equals("schema") && value != JsonToken.VALUE_NULL) {
                        responseFormatSchema = valueSpan(p, origin);
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        if (type == null) {
            throw invalid("response_format.type", "response_format.type is required.");
        }
        responseFormat = switch (type) {
            case "text" -> null;
            case "json_object" -> ResponseFormat.JSON_OBJECT;
            case "json_schema" -> ResponseFormat.JSON_SCHEMA;
            default -> throw invalid("response_format.type", "Invalid value: '" + type
                    + "'. Supported values are: 'text', 'json_object' and 'json_schema'.");
        };
    }

    private void readStreamOptions(JsonParser p) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType("stream_options", "an object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean usage = p.currentName().equals("include_usage");
            p.nextToken();
            if (usage && p.currentToken() != JsonToken.VALUE_NULL) {
                includeUsage = bool(p, "stream_options.include_usage");
            } else {
                p.skipChildren();
            }
        }
    }

    private static List<String> stops(JsonParser p) throws IOException, Untranslatable {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return List.of(p.getText());
        }
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw invalidType("stop", "a string or an array of strings");
        }
        List<String> stops = new ArrayList<>(4);
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                throw invalidType("stop", "a string or an array of strings");
            }
            stops.add(p.getText());
        }
        return stops;
    }

    private static boolean nonEmptyObject(JsonParser p, String name) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType(name, "an object");
        }
        boolean empty = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            empty = false;
            p.nextToken();
            p.skipChildren();
        }
        return !empty;
    }

    private static boolean modalitiesBeyondText(JsonParser p) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw invalidType("modalities", "an array of strings");
        }
        boolean beyond = false;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            beyond |= !(p.currentToken() == JsonToken.VALUE_STRING && p.getText().equals("text"));
            p.skipChildren();
        }
        return beyond;
    }

    private static void refuseIf(boolean refuse, String param, String message) throws Untranslatable {
        if (refuse) {
            throw new Untranslatable("unsupported_parameter", param, "Unsupported parameter: '" + param + "'. "
                    + message);
        }
    }

    // ---- second pass: events ----

    private void emit(RequestEvents out) throws IOException, Untranslatable {
        for (Message m : messages) {
            if (m.kind == Kind.SYSTEM) {
                out.system(requiredText(m));
            }
        }
        for (Message m : messages) {
            switch (m.kind) {
                case SYSTEM -> {
                }
                case USER -> user(m, out);
                case ASSISTANT -> assistant(m, out);
                case TOOL -> toolResult(m, m.toolCallId, "tool_call_id", out);
                case FUNCTION -> toolResult(m, legacyCalls == 0 ? null : legacyCallId(legacyCalls - 1),
                        "role", out);
            }
        }
        if (tools != null) {
            tools(tools, "tools", true, out);
        }
        if (functions != null) {
            tools(functions, "functions", false, out);
        }
        if (toolChoice != null) {
            out.toolChoice(toolChoice, toolChoiceName);
        } else if (functionCall != null) {
            out.toolChoice(functionCall, functionCallName);
        }
        if (parallelToolCalls != null) {
            out.parallelToolCalls(parallelToolCalls);
        }
        emitParameters(out);
        out.end();
    }

    private void emitParameters(RequestEvents out) throws Untranslatable {
        Long limit = maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
        if (limit != null) {
            out.maxTokens(limit);
        }
        if (temperature != null) {
            out.temperature(temperature);
        }
        if (topP != null) {
            out.topP(topP);
        }
        if (topK != null) {
            out.topK(topK);
        }
        if (presencePenalty != null) {
            out.presencePenalty(presencePenalty);
        }
        if (frequencyPenalty != null) {
            out.frequencyPenalty(frequencyPenalty);
        }
        if (stop != null && !stop.isEmpty()) {
            out.stopSequences(stop);
        }
        if (n != null) {
            if (n < 1) {
                throw new Untranslatable("integer_below_min_value", "n",
                        "Invalid 'n': integer below minimum value. Expected a value >= 1, but got " + n + " instead.");
            }
            if (n > 1) {
                out.candidates((int) Math.min(n, Integer.MAX_VALUE));
            }
        }
        if (seed != null) {
            out.seed(seed);
        }
        String endUser = safetyIdentifier != null ? safetyIdentifier : user;
        if (endUser != null) {
            out.user(endUser);
        }
        if (responseFormat != null) {
            out.responseFormat(responseFormat, responseFormat == ResponseFormat.JSON_SCHEMA ? responseFormatName : null,
                    responseFormat == ResponseFormat.JSON_SCHEMA ? responseFormatSchema : null);
        }
        if (reasoningEffort != null) {
            out.reasoningEffort(reasoningEffort, -1);
        }
        if (stream) {
            out.stream(includeUsage);
        }
    }

    private void user(Message m, RequestEvents out) throws IOException, Untranslatable {
        if (m.content == null) {
            throw invalid(m.path("content"), "A user message must have content.");
        }
        out.startMessage(Role.USER);
        try (JsonParser p = parser(m.content)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_STRING) {
                out.text(p.getText());
            } else if (t == JsonToken.START_ARRAY) {
                int j = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    userPart(p, m.content.offset(), m.path("content[" + j++ + "]"), out);
                }
            } else {
                throw invalidType(m.path("content"), "a string or an array of content parts");
            }
        }
        out.endMessage();
    }

    /** One part of a user message's content; the parser is at its START_OBJECT. */
    private void userPart(JsonParser p, int origin, String path, RequestEvents out)
            throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType(path, "an object");
        }
        String type = null;
        String text = null;
        ByteSpan url = null;
        String decodedUrl = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String member = p.currentName();
            JsonToken value = p.nextToken();
            if (member.equals("type")) {
                type = string(p, path + ".type");
            } else if (member.equals("text")) {
                text = string(p, path + ".text");
            } else if (member.equals("image_url") && value == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    boolean isUrl = p.currentName().equals("url");
                    if (p.nextToken() == JsonToken.VALUE_STRING && isUrl) {
                        url = unescapedContents(p, origin);
                        decodedUrl = url == null ? p.getText() : null;
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        if (type == null) {
            throw invalid(path + ".type", "Each content part must have a 'type'.");
        }
        switch (type) {
            case "text" -> out.text(requireText(text, path));
            case "image_url" -> image(url, decodedUrl, path + ".image_url.url", out);
            case "input_audio", "file" -> throw unsupported(path + ".type",
                    "Content parts of type '" + type + "' cannot be sent to this model; only text and images can.");
            default -> throw invalid(path + ".type", "Invalid value: '" + type
                    + "'. Supported values are: 'text', 'image_url', 'input_audio' and 'file'.");
        }
    }

    /**
     * An {@code image_url}: a base64 data URL goes on as its media type and a span of the base64 text, still in the
     * body when the URL held no escape ({@code raw}), else from the decoded URL; an http(s) URL as it is.
     */
    private static void image(ByteSpan raw, String decoded, String param, RequestEvents out) throws Untranslatable {
        if (raw == null && decoded == null) {
            throw invalid(param, "image_url.url is required.");
        }
        boolean data = raw != null ? startsWith(raw, "data:") : decoded.startsWith("data:");
        if (!data) {
            String url = raw != null ? raw.utf8() : decoded;
            if (!url.startsWith("https://") && !url.startsWith("http://")) {
                throw invalid(param, "Invalid image URL: expected an http(s) URL or a base64 data URL.");
            }
            out.image(null, null, url);
            return;
        }
        if (raw != null) {
            int comma = indexOf(raw, (byte) ',');
            String header = comma < 0 ? null
                    : new String(raw.bytes(), raw.offset(), comma - raw.offset(), StandardCharsets.UTF_8);
            String mediaType = dataMediaType(header, param);
            out.image(mediaType, new ByteSpan(raw.bytes(), comma + 1, raw.offset() + raw.length() - comma - 1), null);
        } else {
            int comma = decoded.indexOf(',');
            String mediaType = dataMediaType(comma < 0 ? null : decoded.substring(0, comma), param);
            // The base64 text decoded, escaped again so it can be written as string contents.
            byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(decoded.substring(comma + 1));
            out.image(mediaType, new ByteSpan(escaped, 0, escaped.length), null);
        }
    }

    /** The media type of a data URL's header ({@code data:<type>[;...];base64}), refusing non-base64 data. */
    private static String dataMediaType(String header, String param) throws Untranslatable {
        if (header == null || !header.regionMatches(true, header.length() - 7, ";base64", 0, 7)) {
            throw invalid(param, "Invalid image data URL: expected 'data:<media type>;base64,<data>'.");
        }
        int end = header.indexOf(';');
        if (end <= 5) {
            throw invalid(param, "Invalid image data URL: the media type is missing.");
        }
        return header.substring(5, end);
    }

    private static boolean startsWith(ByteSpan span, String ascii) {
        if (span.length() < ascii.length()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (span.bytes()[span.offset() + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(ByteSpan span, byte b) {
        for (int i = span.offset(), end = span.offset() + span.length(); i < end; i++) {
            if (span.bytes()[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private void assistant(Message m, RequestEvents out) throws IOException, Untranslatable {
        out.startMessage(Role.ASSISTANT);
        if (m.reasoning != null && !m.reasoning.isEmpty()) {
            out.reasoning(m.reasoning, "");
        }
        if (m.content != null) {
            try (JsonParser p = parser(m.content)) {
                JsonToken t = p.nextToken();
                if (t == JsonToken.VALUE_STRING) {
                    out.text(p.getText());
                } else if (t == JsonToken.START_ARRAY) {
                    int j = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        out.text(textPart(p, m.path("content[" + j++ + "]"), true));
                    }
                } else {
                    throw invalidType(m.path("content"), "a string, an array of content parts or null");
                }
            }
        }
        if (m.toolCalls != null) {
            try (JsonParser p = parser(m.toolCalls)) {
                if (p.nextToken() != JsonToken.START_ARRAY) {
                    throw invalidType(m.path("tool_calls"), "an array");
                }
                int j = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    toolCall(p, m.toolCalls.offset(), m.path("tool_calls[" + j++ + "]"), out);
                }
            }
        }
        if (m.functionCall != null) {
            try (JsonParser p = parser(m.functionCall)) {
                p.nextToken();
                String path = m.path("function_call");
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw invalidType(path, "an object");
                }
                function(p, m.functionCall.offset(), legacyCallId(legacyCalls++), path, out);
            }
        }
        out.endMessage();
    }

    private static String legacyCallId(int n) {
        return "call_fn_" + n;
    }

    /** One {@code tool_calls} entry; the parser is at its START_OBJECT. */
    private void toolCall(JsonParser p, int origin, String path, RequestEvents out)
            throws IOException, Untranslatable {
        FunctionEntry call = functionEntry(p, origin, path, "Tool calls");
        if (call.id == null) {
            throw invalid(path + ".id", "Each tool call must have an id.");
        }
        try (JsonParser f = parser(call.function)) {
            f.nextToken();
            function(f, call.function.offset(), call.id, path + ".function", out);
        }
    }

    /** A {@code {type:"function", function:{...}}} entry of {@code tool_calls} (with an id) or of {@code tools}. */
    private record FunctionEntry(String id, ByteSpan function) {
    }

    /** Reads the entry the parser is at; {@code kind} names such entries in the error for another type. */
    private FunctionEntry functionEntry(JsonParser p, int origin, String path, String kind)
            throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType(path, "an object");
        }
        String id = null;
        String type = null;
        ByteSpan function = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String member = p.currentName();
            JsonToken value = p.nextToken();
            switch (member) {
                case "id" -> id = string(p, path + ".id");
                case "type" -> type = string(p, path + ".type");
                case "function" -> function = value == JsonToken.START_OBJECT ? valueSpan(p, origin) : null;
                default -> p.skipChildren();
            }
        }
        if (type != null && !type.equals("function")) {
            throw unsupported(path + ".type", kind + " of type '" + type + "' cannot be sent to this model; only"
                    + " 'function' can.");
        }
        if (function == null) {
            throw invalid(path + ".function", "Each entry must have a function object.");
        }
        return new FunctionEntry(id, function);
    }

    /** A call's {@code {name, arguments}} object (the parser at its START_OBJECT) → one toolCall. */
    private void function(JsonParser p, int origin, String id, String path, RequestEvents out)
            throws IOException, Untranslatable {
        String name = null;
        ByteSpan arguments = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String member = p.currentName();
            JsonToken value = p.nextToken();
            if (member.equals("name")) {
                name = string(p, path + ".name");
            } else if (member.equals("arguments") && value == JsonToken.VALUE_STRING) {
                arguments = unescapedContents(p, origin);
                if (arguments == null) {
                    byte[] decoded = p.getText().getBytes(StandardCharsets.UTF_8);
                    arguments = new ByteSpan(decoded, 0, decoded.length);
                }
            } else {
                p.skipChildren();
            }
        }
        if (name == null) {
            throw invalid(path + ".name", "Each tool call must have a function name.");
        }
        out.toolCall(id, name, arguments != null && isObject(arguments)
                ? arguments : new ByteSpan(EMPTY_OBJECT, 0, EMPTY_OBJECT.length));
    }

    /** Whether the bytes are exactly one JSON object (models do produce truncated or empty arguments). */
    private static boolean isObject(ByteSpan json) {
        try (JsonParser p = Json.FACTORY.createParser(json.bytes(), json.offset(), json.length())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    private void toolResult(Message m, String id, String idMember, RequestEvents out)
            throws IOException, Untranslatable {
        if (id == null) {
            throw invalid(m.path(idMember), m.kind == Kind.TOOL ? "A tool message must have a tool_call_id."
                    : "A function message must follow an assistant message with a function_call.");
        }
        String content = requiredText(m);
        out.startMessage(Role.USER);
        out.toolResult(id, content, false);
        out.endMessage();
    }

    /** A system, tool or function message's content: a string, or text parts joined with a blank line. */
    private String requiredText(Message m) throws IOException, Untranslatable {
        if (m.content == null) {
            throw invalid(m.path("content"), "This message must have content.");
        }
        try (JsonParser p = parser(m.content)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_STRING) {
                return p.getText();
            }
            if (t != JsonToken.START_ARRAY) {
                throw invalidType(m.path("content"), "a string or an array of text parts");
            }
            String first = null;
            StringBuilder joined = null;
            int j = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String text = textPart(p, m.path("content[" + j++ + "]"), false);
                if (first == null) {
                    first = text;
                } else {
                    if (joined == null) {
                        joined = new StringBuilder(first);
                    }
                    joined.append(BLANK_LINE).append(text);
                }
            }
            return joined != null ? joined.toString() : first != null ? first : "";
        }
    }

    /** The text of a {@code text} part (or, for an assistant, a {@code refusal} part); the parser at its object. */
    private static String textPart(JsonParser p, String path, boolean refusal) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType(path, "an object");
        }
        String type = null;
        String text = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String member = p.currentName();
            p.nextToken();
            if (member.equals("type")) {
                type = string(p, path + ".type");
            } else if (member.equals("text") || refusal && member.equals("refusal")) {
                text = string(p, path + "." + member);
            } else {
                p.skipChildren();
            }
        }
        if (!"text".equals(type) && !(refusal && "refusal".equals(type))) {
            throw unsupported(path + ".type", "Only text content parts are supported here; got '" + type + "'.");
        }
        return requireText(text, path);
    }

    private static String requireText(String text, String path) throws Untranslatable {
        if (text == null) {
            throw invalid(path + ".text", "A text content part must have text.");
        }
        return text;
    }

    /** {@code tools} ({@code {type:"function", function:{...}}} entries) or legacy {@code functions} (bare). */
    private void tools(ByteSpan span, String name, boolean wrapped, RequestEvents out)
            throws IOException, Untranslatable {
        try (JsonParser p = parser(span)) {
            p.nextToken();
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String path = name + "[" + i++ + "]";
                if (!wrapped) {
                    functionDefinition(p, span.offset(), path, out);
                    continue;
                }
                FunctionEntry tool = functionEntry(p, span.offset(), path, "Tools");
                try (JsonParser f = parser(tool.function)) {
                    f.nextToken();
                    functionDefinition(f, tool.function.offset(), path + ".function", out);
                }
            }
        }
    }

    /** A {@code {name, description, parameters}} object, the parser at its START_OBJECT. */
    private void functionDefinition(JsonParser p, int origin, String path, RequestEvents out)
            throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType(path, "an object");
        }
        String name = null;
        String description = null;
        ByteSpan parameters = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String member = p.currentName();
            JsonToken value = p.nextToken();
            switch (member) {
                case "name" -> name = string(p, path + ".name");
                case "description" -> description = string(p, path + ".description");
                case "parameters" -> {
                    if (value == JsonToken.START_OBJECT) {
                        parameters = valueSpan(p, origin);
                    } else if (value != JsonToken.VALUE_NULL) {
                        throw invalidType(path + ".parameters", "an object");
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (name == null || name.isEmpty()) {
            throw invalid(path + ".name", "Each function must have a name.");
        }
        out.tool(name, description, parameters);
    }

    // ---- scalars and errors ----

    private static String string(JsonParser p, String param) throws IOException, Untranslatable {
        return switch (p.currentToken()) {
            case VALUE_STRING -> p.getText();
            case VALUE_NULL -> null;
            default -> throw invalidType(param, "a string");
        };
    }

    private static boolean bool(JsonParser p, String param) throws Untranslatable {
        return switch (p.currentToken()) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            default -> throw invalidType(param, "a boolean");
        };
    }

    private static long integer(JsonParser p, String param) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw invalidType(param, "an integer");
        }
        return p.getLongValue();
    }

    private static double number(JsonParser p, String param) throws IOException, Untranslatable {
        if (!p.currentToken().isNumeric()) {
            throw invalidType(param, "a number");
        }
        return p.getDoubleValue();
    }

    private static Untranslatable invalidMessages() {
        return invalid("messages", "'messages' must be a non-empty array of message objects.");
    }

    private static Untranslatable invalid(String param, String message) {
        return new Untranslatable("invalid_value", param, message);
    }

    private static Untranslatable invalidType(String param, String expected) {
        return new Untranslatable("invalid_type", param, "Invalid type for '" + param + "': expected " + expected
                + ".");
    }

    private static Untranslatable unsupported(String param, String message) {
        return new Untranslatable("unsupported_value", param, message);
    }
}
