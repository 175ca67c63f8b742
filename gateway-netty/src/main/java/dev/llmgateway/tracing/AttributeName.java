package dev.llmgateway.tracing;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An attribute's name, with its OTLP encoding ({@code KeyValue.key}, tag included) made once: an export writes the
 * bytes, not the string.
 */
final class AttributeName {
    private static final AtomicInteger SLOTS = new AtomicInteger();

    private final String name;
    private final byte[] encodedKey;
    /** Each repeating name's own number, from 0, where an encoder keeps its last value; -1 for other names. */
    private final int slot;

    AttributeName(String name) {
        this(name, false);
    }

    /**
     * @param repeating whether its values mostly repeat from span to span (names from the config, labels): an
     *                  encoder then writes a value again from the bytes it made the last time
     */
    AttributeName(String name, boolean repeating) {
        this.name = name;
        this.encodedKey = ProtoWriter.encodedString(OtlpEncoder.KEY_VALUE_KEY, name);
        this.slot = repeating ? SLOTS.getAndIncrement() : -1;
    }

    int slot() {
        return slot;
    }

    String name() {
        return name;
    }

    byte[] encodedKey() {
        return encodedKey;
    }

    @Override
    public String toString() {
        return name;
    }
}
