package dev.llmgateway.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;

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
}
