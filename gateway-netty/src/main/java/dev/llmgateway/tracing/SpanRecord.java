package dev.llmgateway.tracing;

/**
 * A sampled span as the export encodes it: ids, parent, times and status in plain fields, filled on the request's
 * event loop and handed whole to the export queue when the span ends (the queue's hand-over publishes them to the
 * export thread, which only reads). Each kind of span keeps its attributes in fields of its own and writes them
 * itself ({@link #attributes}): no attribute map, nothing sized at run time.
 */
abstract class SpanRecord {
    static final int KIND_SERVER = 2;
    static final int KIND_CLIENT = 3;

    final long traceIdHigh;
    final long traceIdLow;
    final long spanId;
    /** 0 for a root span. */
    final long parentSpanId;
    final boolean parentRemote;
    /** The client's {@code tracestate}, kept with its trace; null when it sent none. */
    final String traceState;
    long startEpochNanos;
    long endEpochNanos;
    boolean error;

    SpanRecord(long traceIdHigh, long traceIdLow, long spanId, long parentSpanId, boolean parentRemote,
               String traceState) {
        this.traceIdHigh = traceIdHigh;
        this.traceIdLow = traceIdLow;
        this.spanId = spanId;
        this.parentSpanId = parentSpanId;
        this.parentRemote = parentRemote;
        this.traceState = traceState;
    }

    /** {@link #KIND_SERVER} or {@link #KIND_CLIENT}. */
    abstract int kind();

    /** Writes the span's name into the string field the encoder opened (names are made of parts on export). */
    abstract void name(ProtoWriter out);

    /** Writes the span's attributes; on the export thread. */
    abstract void attributes(OtlpEncoder out);
}
