package dev.llmgateway.tracing;

/**
 * An attribute's name, with its OTLP encoding ({@code KeyValue.key}, tag included) made once: an export writes the
 * bytes, not the string.
 */
final class AttributeName {
    private final String name;
    private final byte[] encodedKey;

    AttributeName(String name) {
        this.name = name;
        this.encodedKey = ProtoWriter.encodedString(OtlpEncoder.KEY_VALUE_KEY, name);
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
