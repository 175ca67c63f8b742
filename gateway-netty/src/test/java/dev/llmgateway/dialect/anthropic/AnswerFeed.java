package dev.llmgateway.dialect.anthropic;

import dev.llmgateway.dialect.AnswerEvents;

/**
 * Hands strings to {@link AnswerEvents} the way a decoder does: as a range inside a larger char array (a parser's
 * buffer), so an encoder that ignored the offset or length would show it.
 */
final class AnswerFeed {
    private final AnswerEvents events;

    AnswerFeed(AnswerEvents events) {
        this.events = events;
    }

    void text(String s) {
        events.text(inside(s), 2, s.length());
    }

    void reasoning(String s) {
        events.reasoning(inside(s), 2, s.length());
    }

    void arguments(int index, String s) {
        events.toolCallArguments(index, inside(s), 2, s.length());
    }

    private static char[] inside(String s) {
        return ("<<" + s + ">>").toCharArray();
    }
}
