package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.json.Json;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/** JSON text in comparable forms, built with the streaming parser and generator. */
final class JsonCanon {
    private JsonCanon() {
    }

    /** The JSON value re-emitted without whitespace, members in their order. */
    static String compact(String json) {
        try (JsonParser in = Json.FACTORY.createParser(json)) {
            StringWriter text = new StringWriter();
            try (JsonGenerator out = Json.FACTORY.createGenerator(text)) {
                in.nextToken();
                out.copyCurrentStructure(in);
                if (in.nextToken() != null) {
                    throw new IllegalArgumentException("more than one JSON value: " + json);
                }
            }
            return text.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    /** The JSON value with object members sorted by name and numbers in one form (0, 0.0 and 0e0 are alike). */
    static String canonical(String json) {
        return rewrite(json, TreeMap::new, false);
    }

    /** The JSON value with every object's members in reverse order (arrays keep theirs), compact. */
    static String reversed(String json) {
        return rewrite(json, LinkedHashMap::new, true);
    }

    private static String rewrite(String json, Supplier<Map<String, Object>> objects, boolean reverse) {
        try (JsonParser in = Json.FACTORY.createParser(json)) {
            in.nextToken();
            Object value = read(in, objects);
            StringWriter text = new StringWriter();
            try (JsonGenerator out = Json.FACTORY.createGenerator(text)) {
                write(value, out, reverse);
            }
            return text.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    private static Object read(JsonParser in, Supplier<Map<String, Object>> objects) throws IOException {
        switch (in.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> members = objects.get();
                while (in.nextToken() == JsonToken.FIELD_NAME) {
                    String name = in.currentName();
                    in.nextToken();
                    members.put(name, read(in, objects));
                }
                return members;
            }
            case START_ARRAY -> {
                List<Object> elements = new ArrayList<>();
                while (in.nextToken() != JsonToken.END_ARRAY) {
                    elements.add(read(in, objects));
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
    private static void write(Object value, JsonGenerator out, boolean reverse) throws IOException {
        if (value instanceof Map<?, ?> map) {
            out.writeStartObject();
            List<Map.Entry<String, Object>> members = new ArrayList<>(((Map<String, Object>) map).entrySet());
            if (reverse) {
                Collections.reverse(members);
            }
            for (Map.Entry<String, Object> member : members) {
                out.writeFieldName(member.getKey());
                write(member.getValue(), out, reverse);
            }
            out.writeEndObject();
        } else if (value instanceof List<?> list) {
            out.writeStartArray();
            for (Object element : list) {
                write(element, out, reverse);
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
