package dev.llmgateway.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Anthropic Messages answers as the API sends them: a recorded stream and message (resources next to this class),
 * with the model name replaced by {@link ChatPayloads#UPSTREAM_MODEL} so a translating gateway has to put the
 * client's alias back, as it does for OpenAI answers.
 */
public final class AnthropicPayloads {
    private static final String RECORDED_MODEL = "claude-sonnet-4-5-20250929";
    private static final String DELTA = "event: content_block_delta\n";

    private static final List<String> STREAM_EVENTS = events(resource("anthropic-message-stream.sse"));

    private AnthropicPayloads() {
    }

    /** What precedes the first text delta: {@code message_start}, {@code content_block_start} and a {@code ping}. */
    public static byte[] streamHead() {
        int firstDelta = indexOfDelta(true);
        return bytes(String.join("", STREAM_EVENTS.subList(0, firstDelta)));
    }

    /** The recorded {@code content_block_delta} events, each a complete SSE event holding one text fragment. */
    public static List<byte[]> textDeltas() {
        return STREAM_EVENTS.stream().filter(event -> event.startsWith(DELTA)).map(AnthropicPayloads::bytes).toList();
    }

    /**
     * What follows the last delta: {@code content_block_stop}, {@code message_delta} whose usage counts
     * {@code outputTokens}, and {@code message_stop}.
     */
    public static byte[] streamTail(int outputTokens) {
        String tail = String.join("", STREAM_EVENTS.subList(indexOfDelta(false) + 1, STREAM_EVENTS.size()));
        return bytes(tail.replaceFirst("\"output_tokens\":\\d+", "\"output_tokens\":" + outputTokens));
    }

    /** A non-streamed message of one text block, with usage. */
    public static byte[] message() {
        return bytes(resource("anthropic-message.json"));
    }

    private static int indexOfDelta(boolean first) {
        for (int i = 0; i < STREAM_EVENTS.size(); i++) {
            int at = first ? i : STREAM_EVENTS.size() - 1 - i;
            if (STREAM_EVENTS.get(at).startsWith(DELTA)) {
                return at;
            }
        }
        throw new IllegalStateException("the recorded stream has no content_block_delta");
    }

    /** The stream cut into its events, each with the blank line that ends it. */
    private static List<String> events(String stream) {
        List<String> events = new ArrayList<>();
        for (String event : stream.split("\n\n")) {
            if (!event.isBlank()) {
                events.add(event.strip() + "\n\n");
            }
        }
        return events;
    }

    private static String resource(String name) {
        try (InputStream in = AnthropicPayloads.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().replace(RECORDED_MODEL,
                    ChatPayloads.UPSTREAM_MODEL);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
