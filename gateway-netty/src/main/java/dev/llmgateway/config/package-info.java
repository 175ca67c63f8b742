/**
 * Loads the gateway's TOML configuration into immutable records. {@link dev.llmgateway.config.ConfigLoader}
 * parses the file, substitutes {@code ${VAR}} references, applies {@code LLM_GATEWAY__SECTION__KEY}
 * environment overrides, fills in defaults and validates everything at once, so that one
 * {@link dev.llmgateway.config.ConfigException} lists every problem with the key, the value as written and what
 * was expected. Providers and client keys whose secrets come from unset variables are disabled with a warning
 * instead of failing the start, and secrets never appear in messages, warnings or {@code toString()}.
 * {@link dev.llmgateway.config.ConfigReloader} reloads the file on its own thread (SIGHUP, or a change of its
 * content) and hands a valid result to the running gateway; {@link dev.llmgateway.config.ConfigChanges} says what
 * changed and keeps the settings that need a restart.
 */
package dev.llmgateway.config;
