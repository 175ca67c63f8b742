package dev.llmgateway.dialect.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import dev.llmgateway.json.Json;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

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
}
