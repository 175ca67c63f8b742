package dev.llmgateway.tracing;

import dev.llmgateway.config.TracingConfig;

/**
 * Decides once per trace, at its server span, whether it is recorded; the attempts follow their server span. The
 * OpenTelemetry samplers' semantics, as {@code OTEL_TRACES_SAMPLER} names them: {@code traceidratio} keeps a trace
 * when the absolute value of its id's low 8 bytes lies below {@code ratio * Long.MAX_VALUE} (so every service
 * sampling a trace at the same ratio agrees), and the parent-based ones follow a remote parent's sampled flag,
 * using their root sampler only for a new trace.
 */
final class TraceSampler {
    private final TracingConfig.Sampler kind;
    private final long idUpperBound;

    TraceSampler(TracingConfig.Sampler kind, double ratio) {
        this.kind = kind;
        this.idUpperBound = ratio <= 0.0 ? Long.MIN_VALUE : ratio >= 1.0 ? Long.MAX_VALUE
                : (long) (ratio * Long.MAX_VALUE);
    }

    /** Every trace recorded: the warm-up's. */
    static TraceSampler alwaysOn() {
        return new TraceSampler(TracingConfig.Sampler.ALWAYS_ON, 1.0);
    }

    /**
     * @param hasParent     whether the request continues a valid {@code traceparent}
     * @param parentSampled its sampled flag
     * @param traceIdLow    the trace id's low 8 bytes
     */
    boolean sample(boolean hasParent, boolean parentSampled, long traceIdLow) {
        return switch (kind) {
            case ALWAYS_ON -> true;
            case ALWAYS_OFF -> false;
            case TRACEIDRATIO -> ratio(traceIdLow);
            case PARENTBASED_ALWAYS_ON -> hasParent ? parentSampled : true;
            case PARENTBASED_ALWAYS_OFF -> hasParent && parentSampled;
            case PARENTBASED_TRACEIDRATIO -> hasParent ? parentSampled : ratio(traceIdLow);
        };
    }

    private boolean ratio(long traceIdLow) {
        return Math.abs(traceIdLow) < idUpperBound;
    }
}
