package dev.llmgateway.routing;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.json.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;

import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body once with Jackson's streaming parser: validates that it is one well-formed JSON object
 * (UTF-8 included), and picks out {@code model} (with its byte span, for the splice), {@code stream} and
 * {@code stream_options.include_usage}. Nested values are skipped, never built.
 */
public final class RequestBodyScanner {
    private RequestBodyScanner() {
    }

    /** Thrown for a body the gateway must refuse with 400; carries the error to send. */
    public static final class InvalidBody extends Exception {
        private final transient ApiError error;

        InvalidBody(ApiError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }

        public ApiError error() {
            return error;
        }
    }

    public static RequestBody scan(ByteBuf content) throws InvalidBody {
        if (!content.isReadable()) {
            throw new InvalidBody(ApiError.badRequest("invalid_json", null,
                    "The request body is empty; a JSON object is expected."));
        }
        int base = content.readerIndex();
        try (InputStream in = new ByteBufInputStream(content.duplicate());
             JsonParser parser = Json.FACTORY.createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidBody(ApiError.badRequest("invalid_json", null,
                        "The request body must be a JSON object."));
            }
            String model = null;
            int modelStart = -1;
            int modelEnd = -1;
            boolean stream = false;
            boolean includeUsage = false;
            boolean modelSeen = false;
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "model" -> {
                        modelSeen = true;
                        model = null;
                        if (value == JsonToken.VALUE_STRING) {
                            modelStart = base + (int) parser.currentTokenLocation().getByteOffset();
                            model = parser.getText();
                            modelEnd = base + (int) parser.currentLocation().getByteOffset();
                        }
                        parser.skipChildren();
                    }
                    case "stream" -> {
                        stream = value == JsonToken.VALUE_TRUE;
                        parser.skipChildren();
                    }
                    case "stream_options" -> {
                        if (value == JsonToken.START_OBJECT) {
                            includeUsage = readIncludeUsage(parser);
                        } else {
                            parser.skipChildren();
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw new InvalidBody(ApiError.badRequest("invalid_json", null,
                        "The request body must hold exactly one JSON object."));
            }
            if (!modelSeen) {
                throw new InvalidBody(ApiError.badRequest("missing_required_parameter", "model",
                        "You must provide a model parameter."));
            }
            if (model == null || model.isEmpty()) {
                throw new InvalidBody(ApiError.badRequest("invalid_type", "model",
                        "The model parameter must be a non-empty string."));
            }
            return new RequestBody(model, modelStart, modelEnd, stream, includeUsage);
        } catch (CharConversionException e) {
            throw invalidUtf8();
        } catch (JsonParseException e) {
            if (e.getOriginalMessage().startsWith("Invalid UTF-8")) {
                throw invalidUtf8();
            }
            throw new InvalidBody(ApiError.badRequest("invalid_json", null,
                    "We could not parse the JSON body of your request: " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new InvalidBody(ApiError.badRequest("invalid_json", null,
                    "We could not read the JSON body of your request."));
        }
    }

    private static InvalidBody invalidUtf8() {
        return new InvalidBody(ApiError.badRequest("invalid_encoding", null, "The request body is not valid UTF-8."));
    }

    /** Reads the members of {@code stream_options}, leaving the parser on its END_OBJECT. */
    private static boolean readIncludeUsage(JsonParser parser) throws IOException {
        boolean includeUsage = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if ("include_usage".equals(name)) {
                includeUsage = value == JsonToken.VALUE_TRUE;
            } else {
                parser.skipChildren();
            }
        }
        return includeUsage;
    }
}
