package dev.llmgateway.dialect.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import dev.llmgateway.json.Json;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/** One JSON document re-emitted compact by the streaming parser and generator, so tests compare structure. */
final class CanonicalJson {
    private CanonicalJson() {
    }

    static String of(String json) {
        StringWriter compact = new StringWriter();
        try (JsonParser parser = Json.FACTORY.createParser(json);
             JsonGenerator generator = Json.FACTORY.createGenerator(compact)) {
            parser.nextToken();
            generator.copyCurrentStructure(parser);
            if (parser.nextToken() != null) {
                throw new AssertionError("more than one JSON document: " + json);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
        return compact.toString();
    }

    /**
     * {@link #of} with the top-level object's members in name order: where in the request body a section stands
     * means nothing to Gemini (the writer puts {@code systemInstruction} last), what is inside each is compared
     * as written.
     */
    static String membersSorted(String json) {
        Map<String, String> members = new TreeMap<>();
        try (JsonParser parser = Json.FACTORY.createParser(json)) {
            parser.nextToken();
            while (parser.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                StringWriter value = new StringWriter();
                try (JsonGenerator generator = Json.FACTORY.createGenerator(value)) {
                    generator.copyCurrentStructure(parser);
                }
                members.put(name, value.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
        StringBuilder sorted = new StringBuilder("{");
        members.forEach((name, value) -> sorted.append(sorted.length() > 1 ? "," : "").append('"').append(name)
                .append("\":").append(value));
        return sorted.append('}').toString();
    }
}
