package dev.llmgateway.dialect.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.json.ByteSpan;
import dev.llmgateway.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Re-encodes tool call arguments compactly into a reused buffer, to be written as a JSON string (OpenAI carries
 * a call's arguments as JSON text). One per writer; the buffer is heap memory, not a ByteBuf.
 */
final class CompactArguments extends ByteArrayOutputStream {
    private JsonGenerator compact;

    void writeAsString(ByteSpan json, JsonGenerator target) throws IOException {
        if (compact == null) {
            compact = Json.FACTORY.createGenerator(this);
            // One document after another into the same buffer: no separator between them.
            compact.setRootValueSeparator(null);
        }
        reset();
        json.copyJson(compact);
        compact.flush();
        target.writeUTF8String(buf, 0, count);
    }
}
