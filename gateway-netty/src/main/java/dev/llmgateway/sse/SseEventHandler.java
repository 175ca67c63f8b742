package dev.llmgateway.sse;

/** Receives the events an {@link SseFramer} completes, on the framer's thread. */
@FunctionalInterface
public interface SseEventHandler {
    /** The handler owns {@code event.content()}: it must release it or hand it on; the event itself is reused. */
    void onEvent(SseEvent event);
}
