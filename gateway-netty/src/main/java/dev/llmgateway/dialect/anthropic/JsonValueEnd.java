package dev.llmgateway.dialect.anthropic;

/**
 * Tells, from a tool call's argument fragments as they stream by, when they have formed a whole JSON object or
 * array: braces and brackets are counted outside strings. The stream encoder closes a tool's block only then, so
 * no later fragment can arrive for a block already closed. Arguments that never complete (empty, malformed, a
 * bare scalar) simply keep the block open until the answer finishes.
 */
final class JsonValueEnd {
    private int depth;
    private boolean started;
    private boolean inString;
    private boolean escaped;
    private boolean complete;

    void reset() {
        depth = 0;
        started = inString = escaped = complete = false;
    }

    void feed(char[] chars, int offset, int length) {
        for (int i = offset; i < offset + length && !complete; i++) {
            char c = chars[i];
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
                started = true;
            } else if (c == '}' || c == ']') {
                complete = started && --depth == 0;
            }
        }
    }

    boolean complete() {
        return complete;
    }
}
