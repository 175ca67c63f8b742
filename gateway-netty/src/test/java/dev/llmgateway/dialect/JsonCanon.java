package dev.llmgateway.dialect;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.json.ByteSpan;
import dev.llmgateway.json.Json;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * JSON text in comparable forms, built with the streaming parser and generator, so tests compare structure and
 * never the whitespace of text that is not theirs. Every form insists on exactly one JSON value.
 */
public final class JsonCanon {
    private JsonCanon() {
    }

    /** The JSON value re-emitted without whitespace, members in their order. */
    public static String compact(String json) {
        try (JsonParser in = Json.FACTORY.createParser(json)) {
            return compact(in, json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    /** The JSON value a span holds, compact; proves the span holds exactly that one value. */
    public static String compact(ByteSpan span) {
        try (JsonParser in = Json.FACTORY.createParser(span.bytes(), span.offset(), span.length())) {
            return compact(in, span.utf8());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + span.utf8(), e);
        }
    }

    private static String compact(JsonParser in, String source) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator out = Json.FACTORY.createGenerator(text)) {
            in.nextToken();
            out.copyCurrentStructure(in);
            requireEnd(in, source);
        }
        return text.toString();
    }

    private static void requireEnd(JsonParser in, String source) throws IOException {
        if (in.nextToken() != null) {
            throw new IllegalArgumentException("more than one JSON value: " + source);
        }
    }

    /** The JSON value with object members sorted by name and numbers in one form (0, 0.0 and 0e0 are alike). */
    public static String canonical(String json) {
        try (JsonParser in = Json.FACTORY.createParser(json)) {
            in.nextToken();
            Object value = read(in);
            requireEnd(in, json);
            StringWriter text = new StringWriter();
            try (JsonGenerator out = Json.FACTORY.createGenerator(text)) {
                write(value, out);
            }
            return text.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    /**
     * The JSON value, compact, with every object's members in reverse order (arrays keep theirs; scalars stay as
     * written); the values of members named in {@code keptAsIs} are left in their own order.
     */
    public static String reversed(String json, String... keptAsIs) {
        StringWriter text = new StringWriter();
        try (JsonParser in = Json.FACTORY.createParser(json); JsonGenerator out = Json.FACTORY.createGenerator(text)) {
            in.nextToken();
            writeReversed(in, out, Set.of(keptAsIs));
            requireEnd(in, json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
        return text.toString();
    }

    private static void writeReversed(JsonParser in, JsonGenerator out, Set<String> keptAsIs) throws IOException {
        if (in.currentToken() == JsonToken.START_OBJECT) {
            List<String[]> members = new ArrayList<>();
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                String name = in.currentName();
                in.nextToken();
                StringWriter value = new StringWriter();
                try (JsonGenerator g = Json.FACTORY.createGenerator(value)) {
                    if (keptAsIs.contains(name)) {
                        g.copyCurrentStructure(in);
                    } else {
                        writeReversed(in, g, keptAsIs);
                    }
                }
                members.add(new String[] {name, value.toString()});
            }
            out.writeStartObject();
            for (int i = members.size() - 1; i >= 0; i--) {
                out.writeFieldName(members.get(i)[0]);
                out.writeRawValue(members.get(i)[1]);
            }
            out.writeEndObject();
        } else if (in.currentToken() == JsonToken.START_ARRAY) {
            out.writeStartArray();
            while (in.nextToken() != JsonToken.END_ARRAY) {
                writeReversed(in, out, keptAsIs);
            }
            out.writeEndArray();
        } else {
            out.copyCurrentEvent(in);
        }
    }

    private static Object read(JsonParser in) throws IOException {
        switch (in.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> members = new TreeMap<>();
                while (in.nextToken() == JsonToken.FIELD_NAME) {
                    String name = in.currentName();
                    in.nextToken();
                    members.put(name, read(in));
                }
                return members;
            }
            case START_ARRAY -> {
                List<Object> elements = new ArrayList<>();
                while (in.nextToken() != JsonToken.END_ARRAY) {
                    elements.add(read(in));
                }
                return elements;
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return in.getDecimalValue().stripTrailingZeros();
            }
            case VALUE_STRING -> {
                return in.getText();
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return in.getBooleanValue();
            }
            default -> {
                return null;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void write(Object value, JsonGenerator out) throws IOException {
        if (value instanceof Map<?, ?> map) {
            out.writeStartObject();
            for (Map.Entry<String, Object> member : ((Map<String, Object>) map).entrySet()) {
                out.writeFieldName(member.getKey());
                write(member.getValue(), out);
            }
            out.writeEndObject();
        } else if (value instanceof List<?> list) {
            out.writeStartArray();
            for (Object element : list) {
                write(element, out);
            }
            out.writeEndArray();
        } else if (value instanceof BigDecimal number) {
            out.writeNumber(number.toPlainString());
        } else if (value instanceof String text) {
            out.writeString(text);
        } else if (value instanceof Boolean bool) {
            out.writeBoolean(bool);
        } else {
            out.writeNull();
        }
    }
}
