package dev.llmgateway.config;

/** The upstream API dialect; TOML names are the lower-case constant names ({@code "openai_compatible"}). */
public enum ProviderType { OPENAI, OPENAI_COMPATIBLE, MOCK }
