package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.Role;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalid;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalidType;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.string;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.unsupported;

/**
 * The {@code input} items of a Responses request: a first pass records each item's members whatever their key
 * order, then {@link #emitSystem} and {@link #emitConversation} emit them. Each item is a turn of its own (writers
 * merge same-role turns): a message; a {@code function_call} or {@code custom_tool_call} (an assistant's call; a
 * custom call's text input goes on as the arguments {@code {"input": ...}}, see {@link ResponsesTools}); its
 * {@code *_output} (a tool result); a {@code reasoning} item (its summary or reasoning text with its
 * {@code encrypted_content} as the signature, or redacted reasoning, see {@link ResponsesAnswer#REDACTED}).
 * Items that need a stored response or OpenAI's own tools are refused.
 */
final class ResponsesInput {
    private static final String BLANK_LINE = "\n\n";
    private static final byte[] INPUT_OPEN = "{\"input\":\"".getBytes(StandardCharsets.US_ASCII);

    private final OpenAiBodyBytes body;
    private final List<Item> items = new ArrayList<>();

    /** One entry of {@code input}, as recorded by the first pass. */
    private static final class Item {
        final int index;
        String type;
        String role;
        ByteSpan content;
        String callId;
        String name;
        ByteSpan arguments;
        String input;
        ByteSpan output;
        ByteSpan summary;
        String encryptedContent;

        Item(int index) {
            this.index = index;
        }

        String path(String member) {
            return "input[" + index + "]" + (member == null ? "" : "." + member);
        }

        boolean isSystem() {
            return type.equals("message") && ("system".equals(role) || "developer".equals(role));
        }
    }

    ResponsesInput(OpenAiBodyBytes body, ByteSpan span) throws IOException, Untranslatable {
        this.body = body;
        try (JsonParser p = body.parser(span)) {
            p.nextToken();
            int index = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                items.add(item(p, span.offset(), new Item(index++)));
            }
        }
    }

    private Item item(JsonParser p, int origin, Item item) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType(item.path(null), "an object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String member = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (member) {
                case "type" -> item.type = string(p, item.path(member));
                case "role" -> item.role = string(p, item.path(member));
                case "content" -> item.content = body.valueSpan(p, origin);
                case "call_id" -> item.callId = string(p, item.path(member));
                case "name" -> item.name = string(p, item.path(member));
                case "arguments" -> {
                    if (value != JsonToken.VALUE_STRING) {
                        throw invalidType(item.path(member), "a string");
                    }
                    item.arguments = body.stringContents(p, origin);
                }
                case "input" -> item.input = string(p, item.path(member));
                case "output" -> item.output = body.valueSpan(p, origin);
                case "summary" -> item.summary = body.valueSpan(p, origin);
                case "encrypted_content" -> item.encryptedContent = string(p, item.path(member));
                default -> p.skipChildren();
            }
        }
        if (item.type == null) {
            if (item.role == null) {
                throw invalid(item.path("type"), "Each input item must have a 'type' (or be a message with a 'role').");
            }
            item.type = "message";
        }
        return item;
    }

    /** Every system and developer message, in order, however the conversation interleaves them. */
    void emitSystem(RequestEvents out) throws IOException, Untranslatable {
        for (Item item : items) {
            if (item.isSystem()) {
                out.system(joinedText(item.content, item.path("content"), "input_text"));
            }
        }
    }

    /** The conversation without its system messages. */
    void emitConversation(RequestEvents out) throws IOException, Untranslatable {
        for (Item item : items) {
            if (item.isSystem()) {
                continue;
            }
            switch (item.type) {
                case "message" -> message(item, out);
                case "function_call" -> {
                    out.startMessage(Role.ASSISTANT);
                    out.toolCall(required(item.callId, item, "call_id"), required(item.name, item, "name"),
                            OpenAiBodyBytes.objectOrEmpty(item.arguments));
                    out.endMessage();
                }
                case "custom_tool_call" -> {
                    out.startMessage(Role.ASSISTANT);
                    out.toolCall(required(item.callId, item, "call_id"), required(item.name, item, "name"),
                            inputArguments(required(item.input, item, "input")));
                    out.endMessage();
                }
                case "function_call_output", "custom_tool_call_output" -> {
                    String output = item.output == null ? "" : joinedText(item.output, item.path("output"),
                            "input_text");
                    out.startMessage(Role.USER);
                    out.toolResult(required(item.callId, item, "call_id"), output, false);
                    out.endMessage();
                }
                case "reasoning" -> reasoning(item, out);
                case "item_reference" -> throw ResponsesRequestReader.needsStore(item.path("type"),
                        "An item_reference");
                default -> throw unsupported(item.path("type"), "Input items of type '" + item.type
                        + "' cannot be sent to this model; only messages, function and custom tool calls, their"
                        + " outputs and reasoning can.");
            }
        }
    }

    private void message(Item item, RequestEvents out) throws IOException, Untranslatable {
        if (item.content == null) {
            throw invalid(item.path("content"), "A message must have content.");
        }
        if ("user".equals(item.role)) {
            out.startMessage(Role.USER);
            userContent(item.content, item.path("content"), out);
        } else if ("assistant".equals(item.role)) {
            out.startMessage(Role.ASSISTANT);
            out.text(joinedText(item.content, item.path("content"), "output_text"));
        } else {
            throw invalid(item.path("role"), "Invalid value: '" + item.role
                    + "'. Supported values are: 'user', 'assistant', 'system' and 'developer'.");
        }
        out.endMessage();
    }

    private void reasoning(Item item, RequestEvents out) throws IOException, Untranslatable {
        String sealed = item.encryptedContent;
        out.startMessage(Role.ASSISTANT);
        if (sealed != null && sealed.startsWith(ResponsesAnswer.REDACTED)) {
            out.redactedReasoning(sealed.substring(ResponsesAnswer.REDACTED.length()));
        } else {
            String text = item.summary == null ? "" : joinedText(item.summary, item.path("summary"), "summary_text");
            out.reasoning(text, sealed == null ? "" : sealed);
        }
        out.endMessage();
    }

    /** A user message's content: a string, or {@code input_text} and {@code input_image} parts. */
    private void userContent(ByteSpan content, String path, RequestEvents out) throws IOException, Untranslatable {
        try (JsonParser p = body.parser(content)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_STRING) {
                out.text(p.getText());
                return;
            }
            if (t != JsonToken.START_ARRAY) {
                throw invalidType(path, "a string or an array of content parts");
            }
            int j = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                userPart(p, content.offset(), path + "[" + j++ + "]", out);
            }
        }
    }

    private void userPart(JsonParser p, int origin, String path, RequestEvents out) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalidType(path, "an object");
        }
        String type = null;
        String text = null;
        ByteSpan url = null;
        String decodedUrl = null;
        boolean fileId = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String member = p.currentName();
            JsonToken value = p.nextToken();
            switch (member) {
                case "type" -> type = string(p, path + ".type");
                case "text" -> text = string(p, path + ".text");
                case "image_url" -> {
                    if (value == JsonToken.VALUE_STRING) {
                        url = body.unescapedContents(p, origin);
                        decodedUrl = url == null ? p.getText() : null;
                    } else {
                        p.skipChildren();
                    }
                }
                case "file_id" -> fileId = value != JsonToken.VALUE_NULL;
                default -> p.skipChildren();
            }
        }
        if (type == null) {
            throw invalid(path + ".type", "Each content part must have a 'type'.");
        }
        switch (type) {
            case "input_text" -> out.text(OpenAiRequestValues.requireText(text, path));
            case "input_image" -> {
                if (fileId && url == null && decodedUrl == null) {
                    throw ResponsesRequestReader.needsStore(path + ".file_id", "An image given by file_id");
                }
                OpenAiUserContent.image(url, decodedUrl, path + ".image_url", out);
            }
            case "input_file", "input_audio" -> throw unsupported(path + ".type", "Content parts of type '" + type
                    + "' cannot be sent to this model; only text and images can.");
            default -> throw invalid(path + ".type", "Invalid value: '" + type
                    + "'. Supported values are: 'input_text', 'input_image' and 'input_file'.");
        }
    }

    /**
     * A content value as one text: a string, or the text of its parts of type {@code partType} (and
     * {@code refusal}, for an assistant's) joined with a blank line; any other part is refused.
     */
    private String joinedText(ByteSpan content, String path, String partType) throws IOException, Untranslatable {
        try (JsonParser p = body.parser(content)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_STRING) {
                return p.getText();
            }
            if (t != JsonToken.START_ARRAY) {
                throw invalidType(path, "a string or an array of content parts");
            }
            StringBuilder joined = new StringBuilder();
            int j = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String text = textPart(p, path + "[" + j++ + "]", partType);
                if (j > 1) {
                    joined.append(BLANK_LINE);
                }
                joined.append(text);
            }
            return joined.toString();
        }
    }

    /** A part of type {@code partType} (an {@code output_text} may also be a {@code refusal}): its text. */
    private static String textPart(JsonParser p, String path, String partType) throws IOException, Untranslatable {
        OpenAiRequestValues.TextPart part = OpenAiRequestValues.textPart(p, path);
        boolean refusal = "refusal".equals(part.type()) && partType.equals("output_text");
        if (!partType.equals(part.type()) && !refusal) {
            throw unsupported(path + ".type", "Only '" + partType + "' content parts can be translated here; got '"
                    + part.type() + "'.");
        }
        return OpenAiRequestValues.requireText(part.text(), path);
    }

    /** A custom tool call's text input as the arguments of the one-parameter function it is sent as. */
    static ByteSpan inputArguments(String input) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(input);
        byte[] json = new byte[INPUT_OPEN.length + escaped.length + 2];
        System.arraycopy(INPUT_OPEN, 0, json, 0, INPUT_OPEN.length);
        System.arraycopy(escaped, 0, json, INPUT_OPEN.length, escaped.length);
        json[json.length - 2] = '"';
        json[json.length - 1] = '}';
        return new ByteSpan(json, 0, json.length);
    }

    private static String required(String value, Item item, String member) throws Untranslatable {
        if (value == null) {
            throw invalid(item.path(member), "Input items of type '" + item.type + "' must have '" + member + "'.");
        }
        return value;
    }
}
