package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.llmgateway.json.ByteSpan;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The text and images of a run of user turns, held until the run ends so that the run's tool results (written as
 * they come) precede them, then written as one {@code user} message: a plain string when it is a single text,
 * else content parts. Holds borrowed image spans until {@link #write}; no buffers.
 */
final class OpenAiUserMessage {
    private record Image(String mediaType, ByteSpan base64, String url) {
    }

    /** Strings and {@link Image}s, in order. */
    private final List<Object> parts = new ArrayList<>();

    void text(String text) {
        parts.add(text);
    }

    void image(String mediaType, ByteSpan base64, String url) {
        parts.add(new Image(mediaType, base64, url));
    }

    /** Writes the message when the run held anything, and starts over. */
    void write(JsonGenerator out) throws IOException {
        if (parts.isEmpty()) {
            return;
        }
        out.writeStartObject();
        out.writeStringField("role", "user");
        if (parts.size() == 1 && parts.get(0) instanceof String only) {
            out.writeStringField("content", only);
        } else {
            out.writeArrayFieldStart("content");
            for (Object part : parts) {
                out.writeStartObject();
                if (part instanceof String text) {
                    out.writeStringField("type", "text");
                    out.writeStringField("text", text);
                } else {
                    writeImagePart((Image) part, out);
                }
                out.writeEndObject();
            }
            out.writeEndArray();
        }
        out.writeEndObject();
        parts.clear();
    }

    private static void writeImagePart(Image image, JsonGenerator out) throws IOException {
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
}
