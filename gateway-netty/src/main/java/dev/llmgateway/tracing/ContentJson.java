package dev.llmgateway.tracing;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.json.Json;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Captured prompt and completion text in the GenAI conventions' JSON shapes (recorded on spans as JSON strings):
 * messages of {@code {"role","parts":[{"type":"text","content"}]}}, and system instructions as a list of text parts.
 */
final class ContentJson {
    /** One message of a conversation: its role and its text parts. */
    record Message(String role, List<String> texts) {
    }

    private interface Writing {
        void write(JsonGenerator g) throws IOException;
    }

    private ContentJson() {
    }

    static String messages(List<Message> messages) {
        return json(g -> {
            g.writeStartArray();
            for (Message message : messages) {
                g.writeStartObject();
                g.writeStringField("role", message.role());
                g.writeArrayFieldStart("parts");
                for (String text : message.texts()) {
                    textPart(g, text);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    /** The answer as one assistant message, with its (first) finish reason. */
    static String output(String text, String finishReason) {
        return json(g -> {
            g.writeStartArray();
            g.writeStartObject();
            g.writeStringField("role", "assistant");
            g.writeArrayFieldStart("parts");
            textPart(g, text);
            g.writeEndArray();
            if (finishReason != null) {
                g.writeStringField("finish_reason", finishReason);
            }
            g.writeEndObject();
            g.writeEndArray();
        });
    }

    static String parts(List<String> texts) {
        return json(g -> {
            g.writeStartArray();
            for (String text : texts) {
                textPart(g, text);
            }
            g.writeEndArray();
        });
    }

    private static void textPart(JsonGenerator g, String text) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "text");
        g.writeStringField("content", text);
        g.writeEndObject();
    }

    private static String json(Writing writing) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            writing.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }
}
