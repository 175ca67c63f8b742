package dev.llmgateway.dialect.anthropic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestBodyBytes;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.bool;
import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.expect;
import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.invalid;
import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.required;
import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.string;
import static dev.llmgateway.dialect.anthropic.AnthropicRequestValues.unsupported;

/**
 * A message's content blocks as events, each block's members collected before it is emitted (its {@code type}
 * may come last). {@code document} and {@code search_result} blocks and Files-API images are refused; server-tool
 * blocks ({@code server_tool_use}, {@code web_search_tool_result}, ...) are skipped: their content is
 * Anthropic-only (encrypted) and a conversation that switched models must go on. An image inside a
 * {@code tool_result} becomes a placeholder line in the result's text, so the model knows one was there.
 */
final class AnthropicContentReader {
    static final String TOOL_RESULT_IMAGE = "[image omitted: this model's API takes no images in tool results]";

    private static final ByteSpan EMPTY_OBJECT = new ByteSpan("{}".getBytes(StandardCharsets.US_ASCII), 0, 2);

    private final RequestBodyBytes body;
    private final RequestEvents out;

    AnthropicContentReader(RequestBodyBytes body, RequestEvents out) {
        this.body = body;
        this.out = out;
    }

    void read(ByteSpan span, String path) throws IOException, Untranslatable {
        ContentBlock block = new ContentBlock();
        body.forEachObject(span, path, (p, at, base) -> {
            block.clear();
            readBlock(p, base, block, at);
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
                case "input" -> block.input = body.structure(p, offset, JsonToken.START_OBJECT, path + ".input");
                case "tool_use_id" -> block.toolUseId = string(p, path + ".tool_use_id");
                case "content" -> {
                    if (value == JsonToken.VALUE_STRING) {
                        block.contentText = p.getText();
                    } else {
                        block.content = body.structure(p, offset, JsonToken.START_ARRAY, path + ".content");
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
                    block.base64 = body.stringContents(p, offset);
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
        body.forEachObject(span, path, (p, at, base) -> {
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
    record TextBlock(String type, String text) {
    }

    static TextBlock textBlock(JsonParser p, String path) throws IOException, Untranslatable {
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
