package dev.llmgateway.dialect.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestBodyBytes;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.Role;
import dev.llmgateway.dialect.ToolChoice;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.util.List;

import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.bool;
import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.expect;
import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.invalid;
import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.number;
import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.positiveInteger;
import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.quoted;
import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.required;
import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.string;
import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.strings;
import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.unsupported;

/**
 * Reads an Anthropic Messages request ({@code POST /v1/messages}) as {@link RequestEvents}, in the order they
 * require whatever the order of the client's keys: a first pass over the top-level object reads the parameters and
 * notes where {@code system}, {@code messages} and {@code tools} are; then each is parsed from its bytes in turn.
 * Messages and content blocks are likewise collected member by member before they are emitted, so {@code type}
 * or {@code role} may come last. Unknown members are skipped.
 *
 * <p>What other providers cannot take is refused with a 400 ({@link Untranslatable}): Anthropic server tools in
 * {@code tools}, and the content {@link AnthropicContentReader} refuses.
 *
 * <p>Ownership: {@code body} is borrowed, not released. The {@link ByteSpan}s handed to the events point into the
 * body's array (or into one copy of a direct body) and are valid during {@link #read} only.
 */
public final class AnthropicRequestReader {
    private final RequestBodyBytes body;
    private final RequestEvents out;
    private final AnthropicContentReader content;

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
        this.body = new RequestBodyBytes(bytes, AnthropicRequestValues.WORDING);
        this.out = out;
        this.content = new AnthropicContentReader(body, out);
    }

    public static void read(ByteBuf body, RequestEvents out) throws Untranslatable {
        ByteSpan span = ByteSpan.readable(body);
        AnthropicRequestReader reader = new AnthropicRequestReader(span.bytes(), out);
        try {
            reader.readTopLevel(span.offset(), span.length());
            reader.emit();
        } catch (JsonProcessingException e) {
            throw invalid(null, "The request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid(null, "The request body could not be read: " + e.getMessage());
        }
    }

    private void readTopLevel(int offset, int length) throws IOException, Untranslatable {
        try (JsonParser p = body.parser(offset, length)) {
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
                            systemBlocks = body.structure(p, offset, JsonToken.START_ARRAY, "system");
                        }
                    }
                    case "messages" -> messages = body.structure(p, offset, JsonToken.START_ARRAY, "messages");
                    case "tools" -> tools = body.structure(p, offset, JsonToken.START_ARRAY, "tools");
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
        body.forEachObject(messages, "messages", this::readMessage);
        if (tools != null) {
            body.forEachObject(tools, "tools", this::readTool);
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
        body.forEachObject(blocks, where, (p, path, base) -> {
            AnthropicContentReader.TextBlock block = AnthropicContentReader.textBlock(p, path);
            if (!"text".equals(block.type()) || block.text() == null) {
                throw invalid(path, path + ": system blocks must be {\"type\":\"text\",\"text\":...}");
            }
            out.system(block.text());
        });
    }

    /**
     * A user or assistant turn, or a mid-conversation {@code system} message (newer models take one after a user
     * turn; it applies from there on): its text goes out as system text in its place.
     */
    private void readMessage(JsonParser p, String path, int base) throws IOException, Untranslatable {
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
                blocks = body.structure(p, base, JsonToken.START_ARRAY, path + ".content");
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
            content.read(blocks, path + ".content");
        }
        out.endMessage();
    }

    private void readTool(JsonParser p, String path, int base) throws IOException, Untranslatable {
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
                case "input_schema" -> schema = body.structure(p, base, JsonToken.START_OBJECT,
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

    private static Role role(String role, String path) throws Untranslatable {
        return switch (role) {
            case "user" -> Role.USER;
            case "assistant" -> Role.ASSISTANT;
            default -> throw invalid(path + ".role", path + ".role: expected 'user', 'assistant' or 'system', got "
                    + quoted(role));
        };
    }

}
