package dev.llmgateway.routing;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmgateway.dialect.ApiError;
import dev.llmgateway.json.Json;
import dev.llmgateway.proxy.Exchange;
import dev.llmgateway.server.Endpoint;
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
import java.util.function.Supplier;

/**
 * Answers {@code GET /v1/models} (OpenAI's list format) and {@code GET /v1/models/{id}}: every configured alias,
 * plus each alias's provider-namespaced name ({@code provider/api_model}), filtered by what the caller's key may
 * use. Sits after auth.
 */
@ChannelHandler.Sharable
public final class ModelListHandler extends ChannelInboundHandlerAdapter {
    private final Supplier<ModelRouter> router;
    private final long createdEpochSeconds;

    public ModelListHandler(Supplier<ModelRouter> router, long createdEpochSeconds) {
        this.router = router;
        this.createdEpochSeconds = createdEpochSeconds;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Exchange exchange)
                || exchange.endpoint() != Endpoint.MODELS && exchange.endpoint() != Endpoint.MODEL) {
            ctx.fireChannelRead(msg);
            return;
        }
        String wanted = exchange.endpoint() == Endpoint.MODEL
                ? QueryStringDecoder.decodeComponent(new QueryStringDecoder(exchange.request().uri()).path()
                .substring(Endpoint.MODEL.path().length()))
                : null;
        ByteBuf body = ctx.alloc().buffer();
        boolean found;
        try (JsonGenerator json = Json.FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(body))) {
            found = wanted == null ? writeList(json, exchange) : writeOne(json, exchange, wanted);
        } catch (IOException e) {
            body.release();
            throw new UncheckedIOException(e);
        }
        if (!found) {
            body.release();
            exchange.fail(ApiError.modelNotFound(wanted));
            return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        exchange.respond(response);
    }

    private boolean writeList(JsonGenerator json, Exchange exchange) throws IOException {
        json.writeStartObject();
        json.writeStringField("object", "list");
        json.writeArrayFieldStart("data");
        for (Route route : router.get().aliases().values()) {
            for (String id : ids(route)) {
                if (exchange.principal().mayUse(id)) {
                    writeModel(json, id, route.provider().name());
                }
            }
        }
        json.writeEndArray();
        json.writeEndObject();
        return true;
    }

    private boolean writeOne(JsonGenerator json, Exchange exchange, String wanted) throws IOException {
        for (Route route : router.get().aliases().values()) {
            for (String id : ids(route)) {
                if (id.equals(wanted) && exchange.principal().mayUse(id)) {
                    writeModel(json, id, route.provider().name());
                    return true;
                }
            }
        }
        return false;
    }

    private static String[] ids(Route route) {
        return new String[] {route.requestedModel(), route.provider().name() + "/" + route.apiModel()};
    }

    private void writeModel(JsonGenerator json, String id, String ownedBy) throws IOException {
        json.writeStartObject();
        json.writeStringField("id", id);
        json.writeStringField("object", "model");
        json.writeNumberField("created", createdEpochSeconds);
        json.writeStringField("owned_by", ownedBy);
        json.writeEndObject();
    }
}
