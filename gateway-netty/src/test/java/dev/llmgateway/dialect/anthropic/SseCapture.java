package dev.llmgateway.dialect.anthropic;

import dev.llmgateway.dialect.JsonCanon;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes the SSE events an encoder hands out, one buffer each, checks each is exactly one
 * {@code event: <name>\ndata: <json>\n\n}, and keeps it as {@code "<name> <json>"} with the JSON re-emitted
 * compactly by a parser (so it is proven to be one JSON document). Releases every buffer.
 */
final class SseCapture implements Consumer<ByteBuf> {
    private static final Pattern EVENT = Pattern.compile("event: ([a-z_]+)\ndata: ([^\n]+)\n\n");

    final List<String> events = new ArrayList<>();

    @Override
    public void accept(ByteBuf event) {
        try {
            events.add(parse(event.toString(StandardCharsets.UTF_8)));
        } finally {
            event.release();
        }
    }

    /** Parses one SSE event's text, as the encoder's or a fixture's. */
    static String parse(String sse) {
        Matcher m = EVENT.matcher(sse);
        if (!m.matches()) {
            throw new AssertionError("not one named SSE event: " + sse);
        }
        return m.group(1) + " " + JsonCanon.compact(m.group(2));
    }

    /** Each event of a fixture stream, parsed. */
    static List<String> parseAll(String stream) {
        List<String> events = new ArrayList<>();
        for (String event : stream.split("(?<=\n\n)")) {
            events.add(parse(event));
        }
        return events;
    }
}
