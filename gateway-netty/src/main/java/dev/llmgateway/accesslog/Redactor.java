package dev.llmgateway.accesslog;

import java.util.regex.Pattern;

/**
 * Removes credentials from captured body text (the body capture's, and the prompt and completion text a trace
 * captures). Works on text rather than parsed JSON because a capture may be cut at its size cap mid-document, or be
 * an SSE stream; a cut secret value is redacted too.
 */
public final class Redactor {
    static final String REDACTED = "<redacted>";

    /** A JSON member whose name ends in a secret-ish word, with a string value (possibly unterminated by the cap). */
    private static final Pattern SECRET_MEMBER = Pattern.compile(
            "(\"[A-Za-z0-9_.\\-]*(?:api[_-]?key|key|authorization|password|passwd|secret|token)\"\\s*:\\s*)"
                    + "\"(?:[^\"\\\\]|\\\\.)*(?:\"|\\\\?$)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern BEARER = Pattern.compile("\\bBearer\\s+[A-Za-z0-9._~+/=\\-]+",
            Pattern.CASE_INSENSITIVE);
    /** OpenAI/Anthropic ({@code sk-…}, {@code sk-ant-…}) and Google ({@code AIza…}) key shapes, wherever they appear. */
    private static final Pattern KEY_LITERAL = Pattern.compile("\\b(?:sk-[A-Za-z0-9_\\-]{6,}|AIza[0-9A-Za-z_\\-]{20,})");

    private Redactor() {
    }

    public static String redact(String text) {
        String s = SECRET_MEMBER.matcher(text).replaceAll("$1\"" + REDACTED + "\"");
        s = BEARER.matcher(s).replaceAll("Bearer " + REDACTED);
        return KEY_LITERAL.matcher(s).replaceAll(REDACTED);
    }
}
