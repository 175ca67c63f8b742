package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.llmgateway.dialect.RequestEvents;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalid;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.invalidType;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.requireText;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.string;
import static dev.llmgateway.dialect.openai.OpenAiRequestValues.unsupported;

/**
 * A user message's content, a string or content parts, as text and image events: text parts as they are, an
 * image as a span of its base64 data (still in the body when its data URL held no escape) or as its http(s) URL.
 * Other part types (audio, files) are refused.
 */
final class OpenAiUserContent {
    private final OpenAiBodyBytes body;

    OpenAiUserContent(OpenAiBodyBytes body) {
        this.body = body;
    }

    /** Emits the content {@code span} holds; {@code path} is the message's {@code content} path. */
    void read(ByteSpan span, String path, RequestEvents out) throws IOException, Untranslatable {
        try (JsonParser p = body.parser(span)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_STRING) {
                out.text(p.getText());
            } else if (t == JsonToken.START_ARRAY) {
                int j = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    part(p, span.offset(), path + "[" + j++ + "]", out);
                }
            } else {
                throw invalidType(path, "a string or an array of content parts");
            }
        }
    }


    /** One part of a user message's content; the parser is at its START_OBJECT. */
    private void part(JsonParser p, int origin, String path, RequestEvents out)
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
                        url = body.unescapedContents(p, origin);
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
    static void image(ByteSpan raw, String decoded, String param, RequestEvents out) throws Untranslatable {
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
}
