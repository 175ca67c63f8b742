package dev.llmgateway.tracing;

import dev.llmgateway.accesslog.Redactor;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Redacts captured prompt and completion text as the body capture redacts bodies (the config's secrets by value,
 * then credential-like patterns), on the export thread: the event loop only records the text, capped. Spans without
 * captured text pass as they are.
 */
final class ContentRedaction implements SpanExporter {
    private static final List<AttributeKey<String>> CONTENT = List.of(GenAi.INPUT_MESSAGES, GenAi.SYSTEM_INSTRUCTIONS,
            GenAi.OUTPUT_MESSAGES);

    private final SpanExporter exporter;
    /** The running config's secrets and the previous config's; swapped whole. */
    private volatile Redactor redactor = Redactor.patternsOnly();

    ContentRedaction(SpanExporter exporter) {
        this.exporter = exporter;
    }

    /** See {@link Tracing#secrets}. */
    synchronized void secrets(Collection<String> secrets) {
        redactor = redactor.then(secrets);
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        Redactor current = redactor;
        List<SpanData> redacted = new ArrayList<>(spans.size());
        for (SpanData span : spans) {
            redacted.add(hasContent(span.getAttributes()) ? new Redacted(span, current) : span);
        }
        return exporter.export(redacted);
    }

    @Override
    public CompletableResultCode flush() {
        return exporter.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return exporter.shutdown();
    }

    private static boolean hasContent(Attributes attributes) {
        for (AttributeKey<String> key : CONTENT) {
            if (attributes.get(key) != null) {
                return true;
            }
        }
        return false;
    }

    private static final class Redacted extends DelegatingSpanData {
        private final Attributes attributes;

        Redacted(SpanData span, Redactor redactor) {
            super(span);
            AttributesBuilder builder = span.getAttributes().toBuilder();
            for (AttributeKey<String> key : CONTENT) {
                String text = span.getAttributes().get(key);
                if (text != null) {
                    builder.put(key, redactor.redact(text));
                }
            }
            this.attributes = builder.build();
        }

        @Override
        public Attributes getAttributes() {
            return attributes;
        }
    }
}
