package dev.llmgateway.tracing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a client span reports from the client's request (OpenAI's or Anthropic's API): {@code max_tokens} (or
 * {@code max_completion_tokens}, {@code max_output_tokens}), {@code temperature}, {@code top_p}; and, when content
 * is captured, the prompt as the GenAI conventions shape it — {@code gen_ai.input.messages}
 * ({@code [{"role","parts":[{"type":"text","content"}]}]}, text parts only) and {@code gen_ai.system_instructions}
 * (Anthropic's {@code system}) — each at most {@code maxText} chars of text. Read once per request, from the
 * buffer as it is.
 */
final class RequestParameters extends JsonPaths {
    private final int maxText;
    private long maxTokens = -1;
    private double temperature = Double.NaN;
    private double topP = Double.NaN;
    /** Capturing: the messages so far, each a role and its text parts. */
    private final List<ContentJson.Message> messages;
    private final List<String> system;
    /** The message being read: its role may come after its content. */
    private String role;
    private List<String> texts;
    private int textChars;

    private RequestParameters(int maxText) {
        this.maxText = maxText;
        this.messages = maxText > 0 ? new ArrayList<>() : null;
        this.system = maxText > 0 ? new ArrayList<>() : null;
    }

    /** Reads {@code body} (not kept); a body that is not JSON has no parameters. */
    static RequestParameters read(ByteBuf body, int maxText) {
        RequestParameters parameters = new RequestParameters(maxText);
        try {
            parameters.walk(body, true);
        } catch (IOException notJson) {
            parameters.close();
        }
        return parameters;
    }

    long maxTokens() {
        return maxTokens;
    }

    double temperature() {
        return temperature;
    }

    double topP() {
        return topP;
    }

    /** {@code gen_ai.input.messages} as JSON; null when content is not captured or there is none. */
    String inputMessages() {
        return messages == null || messages.isEmpty() ? null : ContentJson.messages(messages);
    }

    /** {@code gen_ai.system_instructions} as JSON; null when not captured or absent. */
    String systemInstructions() {
        return system == null || system.isEmpty() ? null : ContentJson.parts(system);
    }

    @Override
    boolean wants(String name) {
        return switch (name) {
            case "max_tokens", "max_completion_tokens", "max_output_tokens", "temperature", "top_p" -> true;
            case "role", "content", "text", "prompt", "system" -> messages != null;
            default -> false;
        };
    }

    @Override
    void scalar(String path, JsonToken token, JsonParser p) throws IOException {
        boolean number = token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT;
        switch (path) {
            case "max_tokens", "max_completion_tokens", "max_output_tokens" -> {
                if (token == JsonToken.VALUE_NUMBER_INT) {
                    maxTokens = p.getLongValue();
                }
            }
            case "temperature" -> temperature = number ? p.getDoubleValue() : temperature;
            case "top_p" -> topP = number ? p.getDoubleValue() : topP;
            default -> {
                if (messages != null && token == JsonToken.VALUE_STRING) {
                    content(path, p);
                }
            }
        }
    }

    @Override
    void closed(CharSequence path) {
        if (messages != null && "messages[]".contentEquals(path)) {
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
