package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;
import io.netty.buffer.ByteBuf;

import java.io.IOException;

import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalid;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.unreadableBody;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalidMessages;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalidType;

/**
 * Reads an OpenAI Chat Completions request into {@link RequestEvents}, in the order they require whatever the
 * client's key order: a first pass records the top-level values ({@link OpenAiParameters}) and each message's
 * members ({@link OpenAiMessages}), then the events are emitted from those records: every system and developer
 * message, the rest of the conversation, tools ({@link OpenAiTools}), parameters. Streaming parser only; no trees.
 *
 * <p>Ownership: {@code body} is borrowed, never released. The {@link ByteSpan}s given to {@code out} point into the
 * body's heap array (or into one copy of a direct body) and are valid until the body is released, so the writer
 * must be done with them first. On {@link Untranslatable} some events may already have been emitted: discard what
 * the writer wrote.
 */
public final class OpenAiRequestReader {
    private final OpenAiBodyBytes body;
    private final OpenAiMessages messages;
    private final OpenAiParameters parameters;
    private ByteSpan tools;
    private ByteSpan functions;

    private OpenAiRequestReader(OpenAiBodyBytes body) {
        this.body = body;
        this.messages = new OpenAiMessages(body);
        this.parameters = new OpenAiParameters(body);
    }

    public static void read(ByteBuf body, RequestEvents out) throws Untranslatable {
        ByteSpan span = ByteSpan.readable(body);
        OpenAiRequestReader reader = new OpenAiRequestReader(
                new OpenAiBodyBytes(span.bytes(), span.offset() + span.length()));
        try {
            reader.scan(span);
            reader.emit(out);
        } catch (IOException e) {
            throw unreadableBody(e);
        }
    }

    private void scan(ByteSpan body) throws IOException, Untranslatable {
        ByteSpan messagesSpan = null;
        try (JsonParser p = this.body.parser(body)) {
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
                    messagesSpan = this.body.valueSpan(p, body.offset());
                } else {
                    member(p, name, body.offset());
                }
            }
        }
        if (messagesSpan == null) {
            throw invalidMessages();
        }
        try (JsonParser p = this.body.parser(messagesSpan)) {
            p.nextToken();
            messages.scan(p, messagesSpan.offset());
        }
    }

    /** A top-level member other than {@code messages}; the parser is at its (non-null) value. */
    private void member(JsonParser p, String name, int origin) throws IOException, Untranslatable {
        switch (name) {
            case "tools" -> tools = arraySpan(p, name, origin);
            case "functions" -> functions = arraySpan(p, name, origin);
            default -> parameters.read(p, name, origin);
        }
    }

    private ByteSpan arraySpan(JsonParser p, String name, int origin) throws IOException, Untranslatable {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw invalidType(name, "an array");
        }
        return body.valueSpan(p, origin);
    }

    private void emit(RequestEvents out) throws IOException, Untranslatable {
        messages.emitSystem(out);
        messages.emitConversation(out);
        OpenAiTools definitions = new OpenAiTools(body);
        if (tools != null) {
            definitions.read(tools, "tools", true, out);
        }
        if (functions != null) {
            definitions.read(functions, "functions", false, out);
        }
        parameters.emit(out);
        out.end();
    }
}
