package dev.llmgateway.dialect;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/** Reading the small nested objects of a usage report ({@code prompt_tokens_details}, {@code cache_creation}). */
public final class UsageCounts {
    private UsageCounts() {
    }

    /**
     * The integer member {@code wanted} of the object the parser is at (just past its START_OBJECT), or -1; the
     * parser is left at the object's END_OBJECT.
     */
    public static long member(JsonParser parser, String wanted) throws IOException {
        long found = -1;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            boolean match = parser.currentName().equals(wanted);
            if (parser.nextToken() == JsonToken.VALUE_NUMBER_INT && match) {
                found = parser.getLongValue();
            } else {
                parser.skipChildren();
            }
        }
        return found;
    }
}
