package dev.llmgateway.testutil;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Request bodies Codex CLI 0.171.0 sent (second turns: a whole conversation with a tool call and its output),
 * captured on loopback and kept in {@code src/test/resources/captured}.
 */
public final class CodexCaptures {
    /** Model "gpt-5.1-codex" (unknown to Codex): function tools, a namespace tool, web search. */
    public static final String FUNCTION_CALL_TURN_2 = "codex-0.171.0-function-call-turn2.json";
    /** Model "gpt-5.5": the custom apply_patch tool, tool search, web search; an apply_patch call and its output. */
    public static final String APPLY_PATCH_TURN_2 = "codex-0.171.0-apply-patch-turn2.json";

    private CodexCaptures() {
    }

    public static String request(String name) {
        try (InputStream in = CodexCaptures.class.getClassLoader().getResourceAsStream("captured/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The request without OpenAI's hosted tools ({@code web_search}, {@code tool_search}), as if turned off. */
    public static String withoutHostedTools(String json) {
        return withoutTool(withoutTool(json, "web_search"), "tool_search");
    }

    /** {@code json} without the tool of {@code type} (a {@code ,{...}} entry found by counting braces). */
    private static String withoutTool(String json, String type) {
        int start = json.indexOf(",{\"type\":\"" + type + "\"");
        if (start < 0) {
            return json;
        }
        int depth = 0;
        boolean inString = false;
        for (int i = start + 1; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return json.substring(0, start) + json.substring(i + 1);
            }
        }
        throw new AssertionError("unbalanced JSON");
    }
}
