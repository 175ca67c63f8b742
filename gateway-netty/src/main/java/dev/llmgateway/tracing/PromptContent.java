package dev.llmgateway.tracing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The prompt a client span reports when content is captured (OpenAI's or Anthropic's API), as the GenAI conventions
 * shape it — {@code gen_ai.input.messages} ({@code [{"role","parts":[{"type":"text","content"}]}]}, text parts
 * only) and {@code gen_ai.system_instructions} (Anthropic's {@code system}) — at most {@code maxText} chars of text
 * in all. Read once per request, from the buffer as it is, and only when content is captured: the sampling
 * settings come from the request's own scan ({@link dev.llmgateway.dialect.SamplingParameters}).
 */
final class PromptContent extends JsonPaths {
    private final int maxText;
    /** The messages so far, each a role and its text parts. */
    private final List<ContentJson.Message> messages;
    private final List<String> system;
    /** The message being read: its role may come after its content. */
    private String role;
    private List<String> texts;
    private int textChars;

    private PromptContent(int maxText) {
        this.maxText = maxText;
        this.messages = new ArrayList<>();
        this.system = new ArrayList<>();
    }

    /**
     * Reads {@code body} (not kept); a body that is not JSON has what came before the break.
     *
     * @param maxText the most chars of text kept, above 0
     */
    static PromptContent read(ByteBuf body, int maxText) {
        PromptContent prompt = new PromptContent(maxText);
        try {
            prompt.walk(body, true);
        } catch (IOException notJson) {
            prompt.close();
        }
        return prompt;
    }

    /** {@code gen_ai.input.messages} as JSON; null when there is none. */
    String inputMessages() {
        return messages.isEmpty() ? null : ContentJson.messages(messages);
    }

    /** {@code gen_ai.system_instructions} as JSON; null when absent. */
    String systemInstructions() {
        return system.isEmpty() ? null : ContentJson.parts(system);
    }

    @Override
    boolean wants(String name) {
        return switch (name) {
            case "role", "content", "text", "prompt", "system" -> true;
            default -> false;
        };
    }

    @Override
    void scalar(String path, JsonToken token, JsonParser p) throws IOException {
        if (token == JsonToken.VALUE_STRING) {
            content(path, p);
        }
    }

    @Override
    void closed(CharSequence path) {
        if ("messages[]".contentEquals(path)) {
            messages.add(new ContentJson.Message(role == null ? "user" : role, texts == null ? List.of() : texts));
            role = null;
            texts = null;
        }
    }

    private void content(String path, JsonParser p) throws IOException {
        switch (path) {
            case "messages[].role" -> role = p.getText();
            case "messages[].content", "messages[].content[].text" -> {
                if (texts == null) {
                    texts = new ArrayList<>(1);
                }
                texts.add(text(p));
            }
            case "prompt" -> messages.add(new ContentJson.Message("user", List.of(text(p))));
            case "system", "system[].text" -> system.add(text(p));
            default -> {
                // not prompt text
            }
        }
    }

    /** The value, cut so that all the prompt's text together stays within {@code maxText}. */
    private String text(JsonParser p) throws IOException {
        String text = p.getText();
        int room = Math.max(0, maxText - textChars);
        String kept = text.length() <= room ? text : text.substring(0, room);
        textChars += kept.length();
        return kept;
    }
}
