package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.Untranslatable;
import dev.llmgateway.json.ByteSpan;
import dev.llmgateway.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of the request body being read (the body's heap array, or one copy of a direct body), parsers over
 * parts of them, and spans into them for values passed on without decoding. Borrows the array; holds no buffer.
 */
final class OpenAiBodyBytes {
    private static final byte[] EMPTY_OBJECT = {'{', '}'};

    private final byte[] bytes;
    /** The index just past the body in {@link #bytes}. */
    private final int limit;

    OpenAiBodyBytes(byte[] bytes, int limit) {
        this.bytes = bytes;
        this.limit = limit;
    }

    JsonParser parser(ByteSpan span) throws IOException {
        return Json.FACTORY.createParser(bytes, span.offset(), span.length());
    }

    /** The value the parser is at (which it then skips), as a span; {@code origin}: where the parser's input starts. */
    ByteSpan valueSpan(JsonParser p, int origin) throws IOException {
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

    /** A tool's {@code parameters} schema, the parser at its value: an object's span, or null for JSON null. */
    ByteSpan parametersSpan(JsonParser p, int origin, String path) throws IOException, Untranslatable {
        if (p.currentToken() == JsonToken.START_OBJECT) {
            return valueSpan(p, origin);
        }
        if (p.currentToken() != JsonToken.VALUE_NULL) {
            throw OpenAiRequestValues.invalidType(path + ".parameters", "an object");
        }
        return null;
    }

    /**
     * The raw contents of the string the parser is at, when they hold no escape (then they are the decoded text
     * as UTF-8, usable without copying); null when they do. Leaves the token for the parser to skip or decode.
     */
    ByteSpan unescapedContents(JsonParser p, int origin) {
        int start = origin + (int) p.currentTokenLocation().getByteOffset() + 1;
        int end = closingQuote(start, true);
        return end < 0 ? null : new ByteSpan(bytes, start, end - start);
    }

    /**
     * The contents of the string the parser is at, as UTF-8 text: a span of the body when they hold no escape, else
     * the decoded text copied. Leaves the token for the parser.
     */
    ByteSpan stringContents(JsonParser p, int origin) throws IOException {
        ByteSpan raw = unescapedContents(p, origin);
        if (raw != null) {
            return raw;
        }
        byte[] decoded = p.getText().getBytes(StandardCharsets.UTF_8);
        return new ByteSpan(decoded, 0, decoded.length);
    }

    /**
     * Tool call arguments as one JSON object: models do produce truncated or empty arguments, and those go on as
     * an empty object.
     */
    static ByteSpan objectOrEmpty(ByteSpan arguments) {
        boolean object = arguments != null
                && Json.isObject(arguments.bytes(), arguments.offset(), arguments.length());
        return object ? arguments : new ByteSpan(EMPTY_OBJECT, 0, EMPTY_OBJECT.length);
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
}
