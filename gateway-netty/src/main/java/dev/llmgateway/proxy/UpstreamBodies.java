package dev.llmgateway.proxy;

import dev.llmgateway.json.JsonSplice;
import dev.llmgateway.routing.RequestBody;
import dev.llmgateway.routing.Route;
import dev.llmgateway.server.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The request body a provider is sent: the client's bytes, with {@code model} spliced to the provider's name and,
 * for a stream whose client did not ask for usage, {@code stream_options.include_usage} turned on (DESIGN.md §4:
 * exact token counts without changing what the client gets; the relay takes that usage out again). Everything
 * else is the client's bytes, never re-encoded.
 */
final class UpstreamBodies {
    private static final ByteBuf TRUE = literal("true");
    private static final ByteBuf INCLUDE_USAGE = literal("\"include_usage\":true");
    private static final ByteBuf INCLUDE_USAGE_FIRST = literal("\"include_usage\":true,");
    private static final ByteBuf STREAM_OPTIONS = literal(",\"stream_options\":{\"include_usage\":true}");

    private UpstreamBodies() {
    }

    /**
     * Gives the exchange the body {@code route}'s provider is sent (replacing, and so releasing, a previous route's)
     * and offers it to the debug capture.
     */
    static void prepare(Exchange exchange, Route route) {
        RequestBody body = exchange.body();
        boolean askForUsage = needsUsageRequested(exchange.endpoint(), body);
        exchange.upstreamBody(build(exchange.request().content(), body, route, askForUsage), askForUsage);
        exchange.capture("request", exchange.upstreamBody());
    }

    /** Streams of the OpenAI-style endpoints that report usage only when asked. */
    private static boolean needsUsageRequested(Endpoint endpoint, RequestBody body) {
        return body.stream() && !body.includeUsage()
                && (endpoint == Endpoint.CHAT_COMPLETIONS || endpoint == Endpoint.COMPLETIONS);
    }

    /** A new buffer over {@code content}'s bytes (retained, not copied) with the edits applied. */
    private static ByteBuf build(ByteBuf content, RequestBody body, Route route, boolean askForUsage) {
        List<JsonSplice.Edit> edits = new ArrayList<>(2);
        if (!route.apiModel().equals(body.model())) {
            edits.add(new JsonSplice.Edit(body.modelStart(), body.modelEnd(), route.apiModelJson()));
        }
        if (askForUsage) {
            edits.add(usageRequest(body));
        }
        if (edits.isEmpty()) {
            return content.retainedDuplicate();
        }
        edits.sort(Comparator.comparingInt(JsonSplice.Edit::start));
        return JsonSplice.edit(content.alloc(), content.retainedDuplicate(), edits.toArray(JsonSplice.Edit[]::new));
    }

    private static JsonSplice.Edit usageRequest(RequestBody body) {
        if (body.includeUsageStart() >= 0) {
            return new JsonSplice.Edit(body.includeUsageStart(), body.includeUsageEnd(), TRUE);
        }
        if (body.streamOptionsStart() >= 0) {
            int afterBrace = body.streamOptionsStart() + 1;
            return new JsonSplice.Edit(afterBrace, afterBrace,
                    body.streamOptionsEmpty() ? INCLUDE_USAGE : INCLUDE_USAGE_FIRST);
        }
        return new JsonSplice.Edit(body.objectEnd(), body.objectEnd(), STREAM_OPTIONS);
    }

    private static ByteBuf literal(String text) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.US_ASCII)))
                .asReadOnly();
    }
}
