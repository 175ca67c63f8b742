package dev.llmgateway.tracing;

import dev.llmgateway.accesslog.Redactor;

import java.util.Collection;

/**
 * Redacts captured prompt and completion text as the body capture redacts bodies (the config's secrets by value,
 * then credential-like patterns), on the export thread as it encodes: the event loop only records the text, capped.
 */
final class ContentRedaction {
    /** The running config's secrets and the previous config's; swapped whole. */
    private volatile Redactor redactor = Redactor.patternsOnly();

    /** See {@link Tracing#secrets}. */
    synchronized void secrets(Collection<String> secrets) {
        redactor = redactor.then(secrets);
    }

    String redact(String text) {
        return redactor.redact(text);
    }
}
