package dev.llmgateway.dialect;

import com.fasterxml.jackson.core.JsonParser;
import dev.llmgateway.json.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** What the dialects' error readers share: OpenAI's error type for a status, and bodies that are not JSON. */
public final class UpstreamErrors {
    private static final int SNIPPET = 200;

    private UpstreamErrors() {
    }

    /** OpenAI's {@code error.type} for a status, for bodies that do not say. */
    public static String openAiType(int status) {
        return switch (status) {
            case 403 -> "permission_error";
            case 429 -> "requests";
            default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    }

    /** A parser over an error body, which stays the caller's and keeps its reader index. */
    public static JsonParser parser(ByteBuf body) throws IOException {
        // ByteBufInputStream is also a DataInput: the cast picks the stream overload.
        return Json.FACTORY.createParser((InputStream) new ByteBufInputStream(body.duplicate()));
    }

    /**
     * A provider error whose body is not the JSON its API documents (an edge proxy's HTML page, say): the status
     * kept, a message naming what came instead (an HTML page's title, or the start of a text), the provider's
     * Retry-After. {@code body} is only read.
     */
    public static ApiError notJson(int status, HttpHeaders headers, ByteBuf body) {
        return new ApiError(HttpResponseStatus.valueOf(status), openAiType(status), null, null,
                describe(status, headers.get(HttpHeaderNames.CONTENT_TYPE), body.toString(StandardCharsets.UTF_8)),
                RetryAfter.seconds(headers));
    }

    private static String describe(int status, String contentType, String body) {
        String said = "The provider answered HTTP " + status + " with a body that is not its API's error JSON"
                + (contentType == null ? "" : " (" + contentType + ")");
        String text = body.strip();
        if (text.isEmpty()) {
            return "The provider answered HTTP " + status + " with an empty body.";
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("<")) {
            int title = lower.indexOf("<title>");
            int titleEnd = title < 0 ? -1 : lower.indexOf("</title>", title);
            if (titleEnd < 0) {
                return said + ".";
            }
            text = text.substring(title + "<title>".length(), titleEnd);
        }
        text = text.replaceAll("\\s+", " ").strip();
        return said + ": " + (text.length() > SNIPPET ? text.substring(0, SNIPPET) + "..." : text);
    }
}
