package dev.llmgateway.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;

import java.io.IOException;

/** The gateway's one Jackson factory: factories are thread-safe and own the symbol tables parsers share. */
public final class Json {
    public static final JsonFactory FACTORY = JsonFactory.builder()
            // Interning every new field name costs a global String.intern for no gain here.
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            // Event-loop threads live as long as the process: a per-thread pool recycles buffers without contention.
            .recyclerPool(JsonRecyclerPools.threadLocalPool())
            .build();

    private Json() {
    }

    /**
     * Whether {@code text} is exactly one JSON object: models produce truncated or empty tool arguments, and a tool
     * result may be any text.
     */
    public static boolean isObject(String text) {
        int first = 0;
        while (first < text.length() && Character.isWhitespace(text.charAt(first))) {
            first++;
        }
        // Most text that is no object is plain text: answered without making the parser fail on it.
        if (first == text.length() || text.charAt(first) != '{') {
            return false;
        }
        try (JsonParser p = FACTORY.createParser(text)) {
            return isObject(p);
        } catch (IOException notJson) {
            return false;
        }
    }

    /** {@link #isObject(String)} for UTF-8 bytes. */
    public static boolean isObject(byte[] bytes, int offset, int length) {
        try (JsonParser p = FACTORY.createParser(bytes, offset, length)) {
            return isObject(p);
        } catch (IOException notJson) {
            return false;
        }
    }

    /**
     * Reads the rest of the document {@code p} is in, from wherever it is, so that anything malformed in it
     * (invalid UTF-8 included) throws, and checks nothing follows it: a decoder that has what it needs from an event
     * still rejects a garbled one.
     */
    public static void finishDocument(JsonParser p) throws IOException {
        while (!p.getParsingContext().inRoot()) {
            p.nextToken(); // at the end of the input inside a value, the parser throws
        }
        if (p.nextToken() != null) {
            throw new JsonParseException(p, "bytes after the document");
        }
    }

    private static boolean isObject(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return false;
        }
        p.skipChildren();
        return p.nextToken() == null;
    }
}
