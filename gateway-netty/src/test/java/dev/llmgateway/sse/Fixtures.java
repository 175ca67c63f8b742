package dev.llmgateway.sse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The provider .sse fixtures, read from the test classpath. */
public final class Fixtures {
    public static final List<String> SSE = List.of(
            "openai/chat-completion-stream.sse",
            "openai/chat-completion-stream-no-usage.sse",
            "openai/chat-completion-stream-tool-calls.sse",
            "openai/responses-stream.sse",
            "anthropic/message-stream.sse",
            "anthropic/message-stream-tool-use.sse",
            "anthropic/message-stream-thinking.sse",
            "anthropic/message-stream-error-overloaded.sse",
            "gemini/stream-generate-content.sse",
            "gemini/stream-generate-content-function-call.sse",
            "ollama/chat-completion-stream.sse",
            "ollama/chat-completion-stream-include-usage.sse",
            "ollama/chat-completion-stream-tool-call.sse");

    private Fixtures() {
    }

    public static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
