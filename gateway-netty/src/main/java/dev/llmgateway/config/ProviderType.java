package dev.llmgateway.config;

/** The upstream API dialect; TOML names are the lower-case constant names ({@code "openai_compatible"}). */
public enum ProviderType {
    OPENAI, OPENAI_COMPATIBLE, ANTHROPIC, GEMINI, MOCK;

    /** Speaks OpenAI's API (the built-in mock does too). */
    public boolean openAiDialect() {
        return this == OPENAI || this == OPENAI_COMPATIBLE || this == MOCK;
    }
}
