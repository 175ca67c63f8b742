package dev.llmgateway.dialect.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.Role;
import dev.llmgateway.dialect.ToolChoice;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;
import dev.llmgateway.json.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an Anthropic Messages request ({@code POST /v1/messages}) as {@link RequestEvents}, in the order they
 * require whatever the order of the client's keys: a first pass over the top-level object reads the parameters and
 * notes where {@code system}, {@code messages} and {@code tools} are; then each is parsed from its bytes in turn.
 * Messages and content blocks are likewise collected member by member before they are emitted, so {@code type}
 * or {@code role} may come last. Unknown members are skipped.
 *
 * <p>What other providers cannot take is refused with a 400 ({@link Untranslatable}): Anthropic server tools in
 * {@code tools}, {@code document} and {@code search_result} blocks, Files-API images. Server-tool blocks in the
 * history ({@code server_tool_use}, {@code web_search_tool_result}, ...) are skipped: their content is
 * Anthropic-only (encrypted) and a conversation that switched models must go on. An image inside a
 * {@code tool_result} becomes a placeholder line in the result's text, so the model knows one was there.
 *
 * <p>Ownership: {@code body} is borrowed, not released. The {@link ByteSpan}s handed to the events point into the
 * body's array (or into one copy of a direct body) and are valid during {@link #read} only.
 */
public final class AnthropicRequestReader {
    static final String TOOL_RESULT_IMAGE = "[image omitted: this model's API takes no images in tool results]";

    private static final ByteSpan EMPTY_OBJECT = new ByteSpan("{}".getBytes(StandardCharsets.US_ASCII), 0, 2);

    private final byte[] bytes;
    private final RequestEvents out;

    private String systemText;
    private ByteSpan systemBlocks;
    private ByteSpan messages;
    private ByteSpan tools;
    private ToolChoice toolChoice;
    private String toolChoiceName;
    private boolean noParallelToolUse;
    private long maxTokens = -1;
    private Double temperature;
    private Double topP;
    private long topK = -1;
    private List<String> stopSequences;
    private boolean stream;
    private String user;
    private long thinkingBudget = -1;

    private AnthropicRequestReader(byte[] bytes, RequestEvents out) {
        this.bytes = bytes;
        this.out = out;
    }

    public static void read(ByteBuf body, RequestEvents out) throws Untranslatable {
        AnthropicRequestReader reader;
        int offset;
        if (body.hasArray()) {
            reader = new AnthropicRequestReader(body.array(), out);
            offset = body.arrayOffset() + body.readerIndex();
        } else {
            reader = new AnthropicRequestReader(ByteBufUtil.getBytes(body), out);
            offset = 0;
        }
        try {
            reader.readTopLevel(offset, body.readableBytes());
            reader.emit();
        } catch (JsonProcessingException e) {
            throw invalid(null, "The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid(null, "The request body could not be read: " + e.getMessage());
        }
    }

    private void readTopLevel(int offset, int length) throws IOException, Untranslatable {
        try (JsonParser p = Json.FACTORY.createParser(bytes, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw invalid(null, "The request body must be a JSON object.");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_NULL) {
                    continue;
                }
                switch (name) {
                    case "system" -> {
                        if (value == JsonToken.VALUE_STRING) {
                            systemText = p.getText();
                        } else {
                            systemBlocks = structure(p, offset, JsonToken.START_ARRAY, "system");
                        }
                    }
                    case "messages" -> messages = structure(p, offset, JsonToken.START_ARRAY, "messages");
                    case "tools" -> tools = structure(p, offset, JsonToken.START_ARRAY, "tools");
                    case "tool_choice" -> readToolChoice(p);
                    case "max_tokens" -> maxTokens = positiveInteger(p, "max_tokens");
                    case "temperature" -> temperature = number(p, "temperature");
                    case "top_p" -> topP = number(p, "top_p");
                    case "top_k" -> topK = positiveInteger(p, "top_k");
                    case "stop_sequences" -> stopSequences = strings(p, "stop_sequences");
                    case "stream" -> stream = bool(p, "stream");
                    case "metadata" -> readMetadata(p);
                    case "thinking" -> readThinking(p);
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw invalid(null, "The request body has content after its JSON object.");
            }
        }
        if (messages == null) {
            throw invalid("messages", "messages: Field required");
        }
        if (maxTokens < 0) {
            throw invalid("max_tokens", "max_tokens: Field required");
        }
    }

    private void emit() throws IOException, Untranslatable {
        if (systemText != null) {
            out.system(systemText);
        } else if (systemBlocks != null) {
            readSystemBlocks(systemBlocks, "system");
        }
        forEachObject(messages, "messages", this::readMessage);
        if (tools != null) {
            forEachObject(tools, "tools", this::readTool);
        }
        if (toolChoice != null) {
            out.toolChoice(toolChoice, toolChoiceName);
        }
        if (noParallelToolUse) {
            out.parallelToolCalls(false);
        }
        out.maxTokens(maxTokens);
        if (temperature != null) {
            out.temperature(temperature);
        }
        if (topP != null) {
            out.topP(topP);
        }
        if (topK >= 0) {
            out.topK(topK);
        }
        if (stopSequences != null && !stopSequences.isEmpty()) {
            out.stopSequences(stopSequences);
        }
        if (user != null) {
            out.user(user);
        }
        if (thinkingBudget >= 0) {
            out.reasoningEffort(null, thinkingBudget);
        }
        if (stream) {
            // An Anthropic client always gets usage, in message_delta.
            out.stream(true);
        }
        out.end();
    }

    private void readSystemBlocks(ByteSpan blocks, String where) throws IOException, Untranslatable {
        forEachObject(blocks, where, (p, path) -> {
            TextBlock block = textBlock(p, path);
            if (!"text".equals(block.type) || block.text == null) {
                throw invalid(path, path + ": system blocks must be {\"type\":\"text\",\"text\":...}");
            }
            out.system(block.text);
        });
    }

    /**
     * A user or assistant turn, or a mid-conversation {@code system} message (newer models take one after a user
     * turn; it applies from there on): its text goes out as system text in its place.
     */
    private void readMessage(JsonParser p, String path) throws IOException, Untranslatable {
        String roleName = null;
        String text = null;
        ByteSpan blocks = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("role")) {
                roleName = string(p, path + ".role");
            } else if (name.equals("content") && value == JsonToken.VALUE_STRING) {
                text = p.getText();
            } else if (name.equals("content")) {
                blocks = structure(p, messages.offset(), JsonToken.START_ARRAY, path + ".content");
            } else {
                p.skipChildren();
            }
        }
        if (roleName == null) {
            throw invalid(path + ".role", path + ".role: Field required");
        }
        if (text == null && blocks == null) {
            throw invalid(path + ".content", path + ".content: Field required");
        }
        if (roleName.equals("system")) {
            if (text != null) {
                out.system(text);
            } else {
                readSystemBlocks(blocks, path + ".content");
            }
            return;
        }
        out.startMessage(role(roleName, path));
        if (text != null) {
            out.text(text);
        } else {
            readBlocks(blocks, path + ".content");
        }
        out.endMessage();
    }

    private void readBlocks(ByteSpan span, String path) throws IOException, Untranslatable {
        ContentBlock block = new ContentBlock();
        forEachObject(span, path, (p, at) -> {
            block.clear();
            readBlock(p, span.offset(), block, at);
            emitBlock(block, at);
        });
    }

    private void readBlock(JsonParser p, int offset, ContentBlock block, String path)
            throws IOException, Untranslatable {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (name) {
                case "type" -> block.type = string(p, path + ".type");
                case "text" -> block.text = string(p, path + ".text");
                case "id" -> block.id = string(p, path + ".id");
                case "name" -> block.name = string(p, path + ".name");
                case "input" -> block.input = structure(p, offset, JsonToken.START_OBJECT, path + ".input");
                case "tool_use_id" -> block.toolUseId = string(p, path + ".tool_use_id");
                case "content" -> {
                    if (value == JsonToken.VALUE_STRING) {
                        block.contentText = p.getText();
                    } else {
                        block.content = structure(p, offset, JsonToken.START_ARRAY, path + ".content");
                    }
                }
                case "is_error" -> block.isError = bool(p, path + ".is_error");
                case "thinking" -> block.thinking = string(p, path + ".thinking");
                case "signature" -> block.signature = string(p, path + ".signature");
                case "data" -> block.data = string(p, path + ".data");
                case "source" -> {
                    // An image's or document's source is an object; a search_result's is a string.
                    if (value == JsonToken.START_OBJECT) {
                        readSource(p, offset, block, path + ".source");
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    private void readSource(JsonParser p, int offset, ContentBlock block, String path)
            throws IOException, Untranslatable {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "type" -> block.sourceType = string(p, path + ".type");
                case "media_type" -> block.mediaType = string(p, path + ".media_type");
                case "url" -> block.url = string(p, path + ".url");
                case "data" -> {
                    expect(p, JsonToken.VALUE_STRING, path + ".data");
                    block.base64 = stringContents(p, offset);
                }
                default -> p.skipChildren();
            }
        }
    }

    private void emitBlock(ContentBlock b, String path) throws IOException, Untranslatable {
        if (b.type == null) {
            throw invalid(path + ".type", path + ".type: Field required");
        }
        switch (b.type) {
            case "text" -> out.text(required(b.text, path, "text"));
            case "image" -> emitImage(b, path);
            case "tool_use" -> out.toolCall(required(b.id, path, "id"), required(b.name, path, "name"),
                    b.input == null ? EMPTY_OBJECT : b.input);
            case "tool_result" -> out.toolResult(required(b.toolUseId, path, "tool_use_id"),
                    b.content != null ? toolResultText(b.content, path + ".content")
                            : b.contentText != null ? b.contentText : "",
                    b.isError);
            case "thinking" -> out.reasoning(b.thinking == null ? "" : b.thinking,
                    b.signature == null ? "" : b.signature);
            case "redacted_thinking" -> out.redactedReasoning(required(b.data, path, "data"));
            default -> {
                if (!isServerToolBlock(b.type)) {
                    throw unsupported(path + ".type", path + ": content blocks of type '" + b.type
                            + "' cannot be sent to the provider serving this model.");
                }
            }
        }
    }

    /** Blocks Anthropic's own server tools (web search, code execution, MCP connector...) left in the history. */
    private static boolean isServerToolBlock(String type) {
        return type.equals("server_tool_use") || type.equals("mcp_tool_use")
                || type.endsWith("_tool_result") && !type.equals("tool_result");
    }

    private void emitImage(ContentBlock b, String path) throws Untranslatable {
        String source = required(b.sourceType, path, "source.type");
        switch (source) {
            case "base64" -> out.image(required(b.mediaType, path, "source.media_type"),
                    required(b.base64, path, "source.data"), null);
            case "url" -> out.image(b.mediaType, null, required(b.url, path, "source.url"));
            default -> throw unsupported(path + ".source.type", path + ".source: images of source type '" + source
                    + "' cannot be sent to the provider serving this model; send base64 data or a URL.");
        }
    }

    /** A tool_result's blocks as one text: text blocks joined by a newline, images as a placeholder line. */
    private String toolResultText(ByteSpan span, String path) throws IOException, Untranslatable {
        StringBuilder joined = new StringBuilder();
        forEachObject(span, path, (p, at) -> {
            TextBlock block = textBlock(p, at);
            String piece = switch (block.type == null ? "" : block.type) {
                case "text" -> required(block.text, at, "text");
                case "image" -> TOOL_RESULT_IMAGE;
                default -> throw unsupported(at + ".type", at + ": tool_result content of type '" + block.type
                        + "' cannot be sent to the provider serving this model.");
            };
            if (!joined.isEmpty()) {
                joined.append('\n');
            }
            joined.append(piece);
        });
        return joined.toString();
    }

    /** A block where only {@code type} and {@code text} matter (system and tool_result blocks). */
    private record TextBlock(String type, String text) {
    }

    private static TextBlock textBlock(JsonParser p, String path) throws IOException, Untranslatable {
        String type = null;
        String text = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "type" -> type = string(p, path + ".type");
                case "text" -> text = string(p, path + ".text");
                default -> p.skipChildren();
            }
        }
        return new TextBlock(type, text);
    }

    private void readTool(JsonParser p, String path) throws IOException, Untranslatable {
        String type = null;
        String name = null;
        String description = null;
        ByteSpan schema = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            if (p.nextToken() == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (field) {
                case "type" -> type = string(p, path + ".type");
                case "name" -> name = string(p, path + ".name");
                case "description" -> description = string(p, path + ".description");
                case "input_schema" -> schema = structure(p, tools.offset(), JsonToken.START_OBJECT,
                        path + ".input_schema");
                default -> p.skipChildren();
            }
        }
        if (type != null && !type.equals("custom")) {
            throw unsupported(path + ".type", path + ": '" + name + "' (type '" + type
                    + "') is an Anthropic server tool, which only Anthropic can run; the provider serving"
                    + " this model cannot. Remove it from tools or use a Claude model.");
        }
        out.tool(required(name, path, "name"), description, schema);
    }

    /** Reads each element of the array {@code span} holds; each must be an object, the parser at its start. */
    private void forEachObject(ByteSpan span, String path, ObjectReader reader) throws IOException, Untranslatable {
        try (JsonParser p = parser(span)) {
            p.nextToken();
            for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
                String at = path + "." + i;
                expect(p, JsonToken.START_OBJECT, at);
                reader.read(p, at);
            }
        }
    }

    @FunctionalInterface
    private interface ObjectReader {
        void read(JsonParser p, String path) throws IOException, Untranslatable;
    }

    private void readToolChoice(JsonParser p) throws IOException, Untranslatable {
        expect(p, JsonToken.START_OBJECT, "tool_choice");
        String type = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (p.nextToken() == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (name) {
                case "type" -> type = string(p, "tool_choice.type");
                case "name" -> toolChoiceName = string(p, "tool_choice.name");
                case "disable_parallel_tool_use" ->
                        noParallelToolUse = bool(p, "tool_choice.disable_parallel_tool_use");
                default -> p.skipChildren();
            }
        }
        toolChoice = switch (type == null ? "" : type) {
            case "auto" -> ToolChoice.AUTO;
            case "any" -> ToolChoice.REQUIRED;
            case "none" -> ToolChoice.NONE;
            case "tool" -> ToolChoice.TOOL;
            default -> throw invalid("tool_choice.type",
                    "tool_choice.type: expected 'auto', 'any', 'tool' or 'none', got " + quoted(type));
        };
        if (toolChoice == ToolChoice.TOOL) {
            required(toolChoiceName, "tool_choice", "name");
        } else {
            toolChoiceName = null;
        }
    }

    private void readMetadata(JsonParser p) throws IOException, Untranslatable {
        expect(p, JsonToken.START_OBJECT, "metadata");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_NULL && name.equals("user_id")) {
                user = string(p, "metadata.user_id");
            } else {
                p.skipChildren();
            }
        }
    }

    /** {@code enabled} with a budget asks for reasoning; {@code disabled} and types this gateway does not know do not. */
    private void readThinking(JsonParser p) throws IOException, Untranslatable {
        expect(p, JsonToken.START_OBJECT, "thinking");
        String type = null;
        long budget = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (p.nextToken() == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (name) {
                case "type" -> type = string(p, "thinking.type");
                case "budget_tokens" -> budget = positiveInteger(p, "thinking.budget_tokens");
                default -> p.skipChildren();
            }
        }
        if ("enabled".equals(type)) {
            if (budget < 0) {
                throw invalid("thinking.budget_tokens", "thinking.enabled.budget_tokens: Field required");
            }
            thinkingBudget = budget;
        }
    }

    private JsonParser parser(ByteSpan span) throws IOException {
        return Json.FACTORY.createParser(bytes, span.offset(), span.length());
    }

    /**
     * The bytes of the array or object the parser is at, which it skips; {@code offset} is where the parser's
     * input starts in {@link #bytes} (its locations count from there).
     */
    private ByteSpan structure(JsonParser p, int offset, JsonToken expected, String path)
            throws IOException, Untranslatable {
        expect(p, expected, path);
        int start = offset + (int) p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        int end = offset + (int) p.currentLocation().getByteOffset();
        return new ByteSpan(bytes, start, end - start);
    }

    /**
     * The still-escaped contents of the string the parser is at, found by scanning for its closing quote, so
     * large base64 data is never decoded or copied. The scan is safe: the first pass already parsed (and so
     * checked) the whole body.
     */
    private ByteSpan stringContents(JsonParser p, int offset) {
        int start = offset + (int) p.currentTokenLocation().getByteOffset() + 1;
        int end = start;
        while (bytes[end] != '"') {
            end += bytes[end] == '\\' ? 2 : 1;
        }
        return new ByteSpan(bytes, start, end - start);
    }

    private static Role role(String role, String path) throws Untranslatable {
        return switch (role) {
            case "user" -> Role.USER;
            case "assistant" -> Role.ASSISTANT;
            default -> throw invalid(path + ".role", path + ".role: expected 'user', 'assistant' or 'system', got "
                    + quoted(role));
        };
    }

    private static void expect(JsonParser p, JsonToken expected, String path) throws Untranslatable {
        if (p.currentToken() != expected) {
            throw invalid(path, path + ": expected " + switch (expected) {
                case START_OBJECT -> "an object";
                case START_ARRAY -> "an array";
                default -> "a string";
            });
        }
    }

    private static String string(JsonParser p, String path) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw invalid(path, path + ": expected a string");
        }
        return p.getText();
    }

    private static boolean bool(JsonParser p, String path) throws Untranslatable {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw invalid(path, path + ": expected a boolean");
        }
        return t == JsonToken.VALUE_TRUE;
    }

    private static double number(JsonParser p, String path) throws IOException, Untranslatable {
        if (!p.currentToken().isNumeric()) {
            throw invalid(path, path + ": expected a number");
        }
        return p.getDoubleValue();
    }

    private static long positiveInteger(JsonParser p, String path) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 1) {
            throw invalid(path, path + ": expected an integer of at least 1");
        }
        return p.getLongValue();
    }

    private static List<String> strings(JsonParser p, String path) throws IOException, Untranslatable {
        expect(p, JsonToken.START_ARRAY, path);
        List<String> values = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            values.add(string(p, path + "." + values.size()));
        }
        return values;
    }

    private static <T> T required(T value, String path, String member) throws Untranslatable {
        if (value == null) {
            throw invalid(path + "." + member, path + "." + member + ": Field required");
        }
        return value;
    }

    private static String quoted(String s) {
        return s == null ? "nothing" : "'" + s + "'";
    }

    private static Untranslatable invalid(String param, String message) {
        return new Untranslatable("invalid_value", param, message);
    }

    private static Untranslatable unsupported(String param, String message) {
        return new Untranslatable("unsupported_value", param, message);
    }

    /** One content block's members, collected before it is emitted (its {@code type} may come last). */
    private static final class ContentBlock {
        String type;
        String text;
        String id;
        String name;
        ByteSpan input;
        String toolUseId;
        String contentText;
        ByteSpan content;
        boolean isError;
        String thinking;
        String signature;
        String data;
        String sourceType;
        String mediaType;
        ByteSpan base64;
        String url;

        void clear() {
            type = text = id = name = toolUseId = contentText = thinking = signature = data = null;
            sourceType = mediaType = url = null;
            input = content = base64 = null;
            isError = false;
        }
    }
}
