package dev.llmgateway.routing;

import dev.llmgateway.exchange.Route;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.config.ProviderType;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.dialect.ClientDialect;
import dev.llmgateway.json.Json;
import dev.llmgateway.exchange.Exchange;
import dev.llmgateway.exchange.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Answers {@code GET /v1/models} and {@code GET /v1/models/{id}}: every configured alias, plus each alias's
 * provider-namespaced name ({@code provider/api_model}), filtered by what the caller's key may use. In OpenAI's
 * list format, or in Anthropic's ({@code type}, {@code display_name}, RFC 3339 {@code created_at}; pages by
 * {@code limit}, {@code after_id}, {@code before_id}) for a client that speaks Anthropic's API (the Anthropic SDKs
 * and Claude Code send {@code anthropic-version}), or in Google's ({@code models/<id>} names,
 * {@code supportedGenerationMethods}; one page) at {@code /v1beta/models} and for a client that sends
 * {@code x-goog-api-key}. Sits after auth.
 */
@ChannelHandler.Sharable
public final class ModelListHandler extends ChannelInboundHandlerAdapter {
    /** Anthropic's default and largest page sizes. */
    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 1000;

    private final Supplier<ModelRouter> router;
    private final long createdEpochSeconds;
    private final String createdAt;

    public ModelListHandler(Supplier<ModelRouter> router, long createdEpochSeconds) {
        this.router = router;
        this.createdEpochSeconds = createdEpochSeconds;
        this.createdAt = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(createdEpochSeconds));
    }

    /** A model the caller may use, the provider that serves it, and whether that provider counts tokens (Gemini). */
    private record Listed(String id, String ownedBy, boolean countsTokens) {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Exchange exchange) || !isModelList(exchange.endpoint())) {
            ctx.fireChannelRead(msg);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(exchange.request().uri());
        Endpoint endpoint = exchange.endpoint();
        String wanted = endpoint == Endpoint.MODEL || endpoint == Endpoint.GEMINI_MODEL
                ? QueryStringDecoder.decodeComponent(uri.rawPath().substring(endpoint.path().length()))
                : null;
        boolean anthropic = exchange.dialect() == ClientDialect.ANTHROPIC;
        boolean gemini = exchange.dialect() == ClientDialect.GEMINI;
        List<Listed> models = listed(exchange);
        Listed one = null;
        Page page = null;
        if (wanted != null) {
            one = models.stream().filter(m -> m.id().equals(wanted)).findFirst().orElse(null);
            if (one == null) {
                exchange.fail(ApiError.modelNotFound(wanted));
                return;
            }
        } else if (anthropic) {
            try {
                page = Page.of(models, uri.parameters());
            } catch (IllegalArgumentException badParameter) {
                exchange.fail(ApiError.badRequest("invalid_value", "limit", badParameter.getMessage()));
                return;
            }
        }
        ByteBuf body = ctx.alloc().buffer();
        try (JsonGenerator json = Json.FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(body))) {
            if (one != null && gemini) {
                writeGeminiModel(json, one);
            } else if (one != null) {
                writeModel(json, one, anthropic);
            } else if (gemini) {
                writeGeminiList(json, models);
            } else if (anthropic) {
                writeAnthropicPage(json, models, page);
            } else {
                writeOpenAiList(json, models);
            }
        } catch (IOException e) {
            body.release();
            throw new UncheckedIOException(e);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        exchange.respond(response);
    }

    /** The models the caller's key may use, in configuration order, each id once. */
    private List<Listed> listed(Exchange exchange) {
        Map<String, Listed> byId = new LinkedHashMap<>();
        for (Route route : router.get().aliases().values()) {
            String owner = route.provider().name();
            for (String id : new String[] {route.requestedModel(), owner + "/" + route.apiModel()}) {
                if (exchange.principal().mayUse(id)) {
                    byId.putIfAbsent(id, new Listed(id, owner, route.provider().type() == ProviderType.GEMINI));
                }
            }
        }
        return new ArrayList<>(byId.values());
    }

    private void writeOpenAiList(JsonGenerator json, List<Listed> models) throws IOException {
        json.writeStartObject();
        json.writeStringField("object", "list");
        json.writeArrayFieldStart("data");
        for (Listed model : models) {
            writeModel(json, model, false);
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private void writeAnthropicPage(JsonGenerator json, List<Listed> models, Page page) throws IOException {
        List<Listed> shown = models.subList(page.from(), page.to());
        json.writeStartObject();
        json.writeArrayFieldStart("data");
        for (Listed model : shown) {
            writeModel(json, model, true);
        }
        json.writeEndArray();
        json.writeBooleanField("has_more", page.hasMore());
        json.writeStringField("first_id", shown.isEmpty() ? null : shown.get(0).id());
        json.writeStringField("last_id", shown.isEmpty() ? null : shown.get(shown.size() - 1).id());
        json.writeEndObject();
    }

    private static boolean isModelList(Endpoint endpoint) {
        return endpoint == Endpoint.MODELS || endpoint == Endpoint.MODEL || endpoint == Endpoint.GEMINI_MODELS
                || endpoint == Endpoint.GEMINI_MODEL;
    }

    /** Google's list: every model in one page (no {@code nextPageToken}), each named {@code models/<id>}. */
    private static void writeGeminiList(JsonGenerator json, List<Listed> models) throws IOException {
        json.writeStartObject();
        json.writeArrayFieldStart("models");
        for (Listed model : models) {
            writeGeminiModel(json, model);
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void writeGeminiModel(JsonGenerator json, Listed model) throws IOException {
        json.writeStartObject();
        json.writeStringField("name", "models/" + model.id());
        json.writeStringField("displayName", model.id());
        json.writeStringField("description", "Served by provider '" + model.ownedBy() + "' through the gateway.");
        json.writeArrayFieldStart("supportedGenerationMethods");
        json.writeString("generateContent");
        json.writeString("streamGenerateContent");
        if (model.countsTokens()) {
            json.writeString("countTokens");
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    private void writeModel(JsonGenerator json, Listed model, boolean anthropic) throws IOException {
        json.writeStartObject();
        if (anthropic) {
            json.writeStringField("type", "model");
            json.writeStringField("id", model.id());
            json.writeStringField("display_name", model.id());
            json.writeStringField("created_at", createdAt);
        } else {
            json.writeStringField("id", model.id());
            json.writeStringField("object", "model");
            json.writeNumberField("created", createdEpochSeconds);
            json.writeStringField("owned_by", model.ownedBy());
        }
        json.writeEndObject();
    }

    /**
     * One page of Anthropic's list, {@code [from, to)}: up to {@code limit} models after {@code after_id}, or just
     * before {@code before_id}; an id not in the list starts (or ends) the page at the list's start (or end).
     */
    private record Page(int from, int to, boolean hasMore) {
        static Page of(List<Listed> models, Map<String, List<String>> query) {
            int limit = DEFAULT_LIMIT;
            String limitText = first(query, "limit");
            if (limitText != null) {
                try {
                    limit = Integer.parseInt(limitText);
                } catch (NumberFormatException e) {
                    limit = -1;
                }
                if (limit < 1 || limit > MAX_LIMIT) {
                    throw new IllegalArgumentException("limit: expected an integer from 1 to " + MAX_LIMIT
                            + ", got '" + limitText + "'");
                }
            }
            String before = first(query, "before_id");
            if (before != null) {
                int end = indexOf(models, before, 0);
                int start = Math.max(0, end - limit);
                return new Page(start, end, start > 0);
            }
            int start = indexOf(models, first(query, "after_id"), -1) + 1;
            int end = Math.min(models.size(), start + limit);
            return new Page(start, end, end < models.size());
        }

        private static int indexOf(List<Listed> models, String id, int absent) {
            for (int i = 0; id != null && i < models.size(); i++) {
                if (models.get(i).id().equals(id)) {
                    return i;
                }
            }
            return absent;
        }

        private static String first(Map<String, List<String>> query, String name) {
            List<String> values = query.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }
}
