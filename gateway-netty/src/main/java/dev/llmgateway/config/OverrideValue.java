package dev.llmgateway.config;

/** A setting replaced by the environment variable {@code variable}; converted to the setting's type when read. */
record OverrideValue(String variable, String text) {
}
