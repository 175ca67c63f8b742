package dev.llmgateway.testutil;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Reads one value out of a JSON text by a path of member names and array indexes, e.g. ("choices", "0", "index"). */
public final class JsonPath {
    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonPath() {
    }

    /** The scalar at {@code path} as text ("null" for JSON null), or null when the path does not exist. */
    public static String read(String json, String... path) {
        try (JsonParser parser = FACTORY.createParser(json)) {
            parser.nextToken();
            return descend(parser, path, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    /** Every value of member {@code field} in the array at {@code arrayPath}, in order. */
    public static List<String> column(String json, String field, String... arrayPath) {
        List<String> values = new ArrayList<>();
        for (int i = 0; ; i++) {
            String[] path = new String[arrayPath.length + 2];
            System.arraycopy(arrayPath, 0, path, 0, arrayPath.length);
            path[arrayPath.length] = Integer.toString(i);
            path[arrayPath.length + 1] = field;
            String[] element = java.util.Arrays.copyOf(path, arrayPath.length + 1);
            if (read(json, element) == null) {
                return values;
            }
            values.add(read(json, path));
        }
    }

    private static String descend(JsonParser parser, String[] path, int depth) throws IOException {
        JsonToken token = parser.currentToken();
        if (depth == path.length) {
            if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                return token == JsonToken.START_OBJECT ? "{object}" : "[array]";
            }
            return token == JsonToken.VALUE_NULL ? "null" : parser.getText();
        }
        if (token == JsonToken.START_OBJECT) {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if (name.equals(path[depth])) {
                    return descend(parser, path, depth + 1);
                }
                parser.skipChildren();
            }
            return null;
        }
        if (token == JsonToken.START_ARRAY) {
            int wanted = Integer.parseInt(path[depth]);
            int index = 0;
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                if (index++ == wanted) {
                    return descend(parser, path, depth + 1);
                }
                parser.skipChildren();
            }
        }
        return null;
    }
}
