package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.Role;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalid;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalidMessages;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalidType;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.requireText;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.string;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.unsupported;

/**
 * The {@code messages} of an OpenAI request: a first pass ({@link #scan}) records each message's members (spans
 * into the body, small scalars as read) whatever their key order; then {@link #emitSystem} and
 * {@link #emitConversation} emit them as events. {@code tool} and legacy {@code function} messages each become a
 * user turn of their own (writers merge same-role turns); an assistant's {@code reasoning_content} (the
 * DeepSeek/vLLM convention) becomes {@code reasoning(text, "")}; a legacy {@code function_call} gets the id
 * {@code call_fn_<n>}, which the {@code function} message after it answers.
 */
final class OpenAiMessages {
    private static final String BLANK_LINE = "\n\n";

    private final OpenAiBodyBytes body;
    private final OpenAiUserContent userContent;
    private final List<Message> messages = new ArrayList<>();
    private int legacyCalls;

    OpenAiMessages(OpenAiBodyBytes body) {
        this.body = body;
        this.userContent = new OpenAiUserContent(body);
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

    /** Records the messages of the array the parser is at; {@code origin}: where the parser's input starts. */
    void scan(JsonParser p, int origin) throws IOException, Untranslatable {
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
                    case "content" -> m.content = value == JsonToken.VALUE_NULL ? null : body.valueSpan(p, origin);
                    case "tool_calls" -> m.toolCalls = value == JsonToken.VALUE_NULL ? null : body.valueSpan(p, origin);
                    case "function_call" ->
                            m.functionCall = value == JsonToken.VALUE_NULL ? null : body.valueSpan(p, origin);
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

    /** Every system and developer message, in order, however the conversation interleaves them. */
    void emitSystem(RequestEvents out) throws IOException, Untranslatable {
        for (Message m : messages) {
            if (m.kind == Kind.SYSTEM) {
                out.system(requiredText(m));
            }
        }
    }

    /** The conversation without its system messages. */
    void emitConversation(RequestEvents out) throws IOException, Untranslatable {
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
    }

    private void user(Message m, RequestEvents out) throws IOException, Untranslatable {
        if (m.content == null) {
            throw invalid(m.path("content"), "A user message must have content.");
        }
        out.startMessage(Role.USER);
        userContent.read(m.content, m.path("content"), out);
        out.endMessage();
    }

    private void assistant(Message m, RequestEvents out) throws IOException, Untranslatable {
        out.startMessage(Role.ASSISTANT);
        if (m.reasoning != null && !m.reasoning.isEmpty()) {
            out.reasoning(m.reasoning, "");
        }
        if (m.content != null) {
            try (JsonParser p = body.parser(m.content)) {
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
            try (JsonParser p = body.parser(m.toolCalls)) {
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
            try (JsonParser p = body.parser(m.functionCall)) {
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
        OpenAiTools.FunctionEntry call = OpenAiTools.functionEntry(body, p, origin, path, "Tool calls");
        if (call.id() == null) {
            throw invalid(path + ".id", "Each tool call must have an id.");
        }
        try (JsonParser f = body.parser(call.function())) {
            f.nextToken();
            function(f, call.function().offset(), call.id(), path + ".function", out);
        }
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
                arguments = body.stringContents(p, origin);
            } else {
                p.skipChildren();
            }
        }
        if (name == null) {
            throw invalid(path + ".name", "Each tool call must have a function name.");
        }
        out.toolCall(id, name, OpenAiBodyBytes.objectOrEmpty(arguments));
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
        try (JsonParser p = body.parser(m.content)) {
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
        OpenAiRequestValues.TextPart part = OpenAiRequestValues.textPart(p, path);
        if (!"text".equals(part.type()) && !(refusal && "refusal".equals(part.type()))) {
            throw unsupported(path + ".type", "Only text content parts are supported here; got '" + part.type()
                    + "'.");
        }
        return requireText(part.text(), path);
    }
}
