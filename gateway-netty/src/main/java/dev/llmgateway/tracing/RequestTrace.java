package dev.llmgateway.tracing;

import dev.llmgateway.accesslog.ExchangeRecord;
import dev.llmgateway.dialect.SamplingParameters;
import dev.llmgateway.upstream.Provider;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * One request's trace as the pipeline sees it: its server span, and the client span of each upstream attempt. All
 * methods run on the request's event loop.
 */
public interface RequestTrace {
    /** Tracing off: no span, no header, no allocation. */
    RequestTrace OFF = new RequestTrace() {
        @Override
        public String traceId() {
            return null;
        }

        @Override
        public void respond(HttpHeaders response) {
        }

        @Override
        public AttemptTrace attempt(Provider provider, String apiModel, String alias, int number,
                                    SamplingParameters sampling, ByteBuf request) {
            return AttemptTrace.OFF;
        }

        @Override
        public void ended(ExchangeRecord record) {
        }
    };

    /** The trace id (32 lower-case hex digits) for the access log; null when tracing is off. */
    String traceId();

    /** Tells the client where its request sits: {@code traceparent} naming the server span. */
    void respond(HttpHeaders response);

    /**
     * Starts the client span of one upstream attempt, a child of the server span.
     *
     * @param alias   the configured alias (or {@code other})
     * @param number  the attempt's number within the request, from 1, fallbacks included
     * @param sampling the request's sampling settings, as its scan read them
     * @param request  the client's request body, read (not kept) for the prompt when content is captured; stays
     *                 the caller's
     */
    AttemptTrace attempt(Provider provider, String apiModel, String alias, int number, SamplingParameters sampling,
                         ByteBuf request);

    /** The request is over: the server span ends with what the access log records. */
    void ended(ExchangeRecord record);
}
