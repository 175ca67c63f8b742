package dev.llmgateway.proxy;

import dev.llmgateway.testutil.FaultyProvider.Bytes;
import dev.llmgateway.testutil.GatewayHarness;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Generates provider responses for the randomized upstream-fault test: a valid answer of the route's provider API
 * (a JSON body or an event stream, or a 400 error) with random text, framed at random (Content-Length, chunked at
 * awkward bytes, or delimited by the close), then broken by one fault class — or left whole. Each {@link Case} says
 * what a client may see for it. Faults only touch the HTTP framing and the stream's line structure; the JSON inside
 * well-framed events is never altered (validating event content is the relay's business, tested elsewhere).
 */
final class UpstreamFaults {
    /** The provider API a route's provider speaks. */
    enum Api { OPENAI, ANTHROPIC }

    /** How the connection ends after the bytes are written. */
    enum After { KEEP, CLOSE, RESET }

    /** How the response body is delimited. */
    enum Framing { LENGTH, CHUNKED, CLOSE }

    /** Every fault class the generator makes, with its weight. */
    enum Fault {
        /** The answer whole, kept alive or closed after (with or without {@code connection: close}). */
        VALID(28),
        /** The answer whole, written a few bytes at a time with short pauses. */
        SLOW_DRIP(4),
        /** A 400 error of the provider's API, whole. */
        ERROR_STATUS(5),
        /** Cut at a random byte (head or body), then the provider closes. */
        TRUNCATED_CLOSE(14),
        /** Cut at a random byte, then a reset. */
        TRUNCATED_RESET(5),
        /** Cut at a random byte after the head, the connection left open: only a timeout can end it. */
        TRUNCATED_SILENT(1),
        /** A status line no HTTP/1.1 response has. */
        STATUS_LINE(8),
        /** A header block the strict decoder refuses: CL with TE, two CLs, bad CL, no colon, control bytes. */
        HEADERS(9),
        /** A chunk-size line that is not one (chunked answers only; others get a valid framing and this fault). */
        CHUNK_SIZE(8),
        /** Content-Length larger than the body, then a close. */
        LENGTH_LONGER(4),
        /** Content-Length smaller than the body: bytes left past the response on a kept-alive connection. */
        LENGTH_SHORTER(4),
        /** The answer whole, then bytes no response starts with, on a kept-alive connection. */
        TRAILING_BYTES(4),
        /** One byte of the status line, the headers or a chunk-size line changed at random, then a close. */
        BYTE_FLIP(8),
        /** A status line, a header or (streams) an event line far over the limits. */
        HUGE_LINE(3);

        final int weight;

        Fault(int weight) {
            this.weight = weight;
        }
    }

    /**
     * One generated response and what it allows.
     *
     * @param wire        the bytes the provider writes
     * @param status      the status of the answer before any fault (200, or 400 for {@link Fault#ERROR_STATUS})
     * @param text        the answer's text (200), or the error message (400)
     * @param body        the answer's body as the provider's API writes it, before framing
     * @param valid       the client must get exactly the answer (no fault, or one that leaves it whole)
     * @param framedBody  for a fault that leaves valid HTTP framing around other bytes: the body so framed, which the
     *                    gateway may pass on as it came; else null
     * @param taints      the connection, kept open, is unusable: the gateway must never send it another request
     * @param headLength  the length of the head in {@code wire}
     */
    record Case(Fault fault, String detail, byte[] wire, After after, boolean drip, int status, String text,
                byte[] body, boolean valid, byte[] framedBody, boolean taints, int headLength) {
        /** Short, for reports: the fault and its variant. */
        String label() {
            return detail.isEmpty() ? fault.name() : fault.name() + "/" + detail;
        }
    }

    /** A response on the wire, with where its parts are. */
    private record Wire(byte[] bytes, int headLength, byte[] body, List<int[]> sizeLines) {
    }

    private static final String[] WORDS = {"alpha", "beta", "gamma", "delta", "é", "日本", "😀", "zeta", "eta",
            "theta", "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma"};
    private static final String[] BAD_STATUS_LINES = {"HTTP/1.1 OK", "HTTP/1.1 2OO OK", "HTTP/1.1 999 Odd",
            "HTTP/1.1 000 Zero", "XTTP/1.1 200 OK", "HTTP/1.1 -200 OK", "HTTP/1.1 20 OK", "\u0001\u0002garbage"};
    /** Trailing bytes that no response starts with; line ends alone would be harmless. */
    private static final byte[] JUNK = Bytes.ascii("garbage after the response");

    private final Random random;
    private final int maxSseEventBytes;
    private final int totalWeight = Arrays.stream(Fault.values()).mapToInt(f -> f.weight).sum();
    /** The body of the case being made, before any fault. */
    private byte[] answerBody;

    UpstreamFaults(long seed, int maxSseEventBytes) {
        this.random = new Random(seed);
        this.maxSseEventBytes = maxSseEventBytes;
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** The next case for a provider of {@code api}, answering a client that asked for a stream or not. */
    Case next(Api api, boolean stream) {
        Fault fault = pick();
        String text = text();
        boolean error = fault == Fault.ERROR_STATUS;
        int status = error ? 400 : 200;
        String lineEnd = random.nextBoolean() ? "\n" : "\r\n";
        boolean sse = stream && !error;
        byte[] body = error ? errorBody(api, text) : sse ? events(api, text, lineEnd) : jsonAnswer(api, text);
        answerBody = body;
        String contentType = sse ? "text/event-stream" : "application/json";
        Framing framing = fault == Fault.CHUNK_SIZE ? Framing.CHUNKED : framing();
        if (fault == Fault.LENGTH_LONGER || fault == Fault.LENGTH_SHORTER) {
            framing = Framing.LENGTH;
        }
        boolean closing = framing == Framing.CLOSE || random.nextInt(4) == 0;
        Wire wire = frame(status, contentType, body, framing, closing && random.nextBoolean());
        After after = closing ? After.CLOSE : After.KEEP;
        return switch (fault) {
            case VALID, ERROR_STATUS -> valid(fault, wire, after, false, status, text);
            case SLOW_DRIP -> valid(fault, wire, after, true, status, text);
            case TRUNCATED_CLOSE, TRUNCATED_RESET -> truncated(fault, wire, framing, status, text);
            case TRUNCATED_SILENT -> {
                int cut = wire.headLength + random.nextInt(Math.max(1, wire.bytes.length - wire.headLength - 1));
                yield fault(fault, "", Arrays.copyOf(wire.bytes, cut), After.KEEP, status, text, null, false,
                        wire.headLength);
            }
            case STATUS_LINE -> statusLine(wire, status, text);
            case HEADERS -> headers(wire, body, status, text);
            case CHUNK_SIZE -> chunkSize(wire, status, text);
            case LENGTH_LONGER -> {
                byte[] bytes = replaceLength(wire, body.length + 1 + random.nextInt(100));
                yield fault(fault, "", bytes, After.CLOSE, status, text, null, false, wire.headLength);
            }
            case LENGTH_SHORTER -> {
                int shorter = random.nextInt(body.length);
                byte[] bytes = replaceLength(wire, shorter);
                // Line ends left over are skipped before the next response; anything else breaks the connection.
                boolean breaks = new String(body, shorter, body.length - shorter, StandardCharsets.ISO_8859_1)
                        .chars().anyMatch(c -> c != '\r' && c != '\n');
                yield fault(fault, "", bytes, After.KEEP, status, text, Arrays.copyOf(body, shorter), breaks,
                        bytes.length - body.length);
            }
            case TRAILING_BYTES -> fault(fault, framing.name().toLowerCase(), Bytes.concat(wire.bytes, JUNK),
                    framing == Framing.CLOSE ? After.CLOSE : After.KEEP, status, text,
                    framing == Framing.CLOSE ? Bytes.concat(body, JUNK) : body, framing != Framing.CLOSE,
                    wire.headLength);
            case BYTE_FLIP -> byteFlip(wire, status, text);
            case HUGE_LINE -> hugeLine(wire, sse, status, text, lineEnd);
        };
    }

    private Fault pick() {
        int at = random.nextInt(totalWeight);
        for (Fault fault : Fault.values()) {
            at -= fault.weight;
            if (at < 0) {
                return fault;
            }
        }
        throw new AssertionError();
    }

    private Framing framing() {
        int roll = random.nextInt(10);
        return roll < 4 ? Framing.LENGTH : roll < 9 ? Framing.CHUNKED : Framing.CLOSE;
    }

    private static Case valid(Fault fault, Wire wire, After after, boolean drip, int status, String text) {
        return new Case(fault, "", wire.bytes, after, drip, status, text, wire.body, true, null, false,
                wire.headLength);
    }

    private Case fault(Fault fault, String detail, byte[] bytes, After after, int status, String text,
                       byte[] framedBody, boolean taints, int headLength) {
        return new Case(fault, detail, bytes, after, false, status, text, answerBody, false, framedBody, taints,
                headLength);
    }

    private Case truncated(Fault fault, Wire wire, Framing framing, int status, String text) {
        int cut = random.nextInt(wire.bytes.length);
        After after = fault == Fault.TRUNCATED_RESET ? After.RESET : After.CLOSE;
        // A body delimited by the close ends where the provider stopped: what came is all HTTP can know.
        byte[] framed = framing == Framing.CLOSE && after == After.CLOSE && cut >= wire.headLength
                ? Arrays.copyOfRange(wire.bytes, wire.headLength, cut) : null;
        String where = cut < wire.headLength ? "head" : "body";
        return fault(fault, where, Arrays.copyOf(wire.bytes, cut), after, status, text, framed, false,
                wire.headLength);
    }

    private Case statusLine(Wire wire, int status, String text) {
        int variant = random.nextInt(BAD_STATUS_LINES.length);
        int lineEnd = indexOf(wire.bytes, (byte) '\r', 0);
        byte[] bytes = Bytes.concat(Bytes.ascii(BAD_STATUS_LINES[variant]),
                Arrays.copyOfRange(wire.bytes, lineEnd, wire.bytes.length));
        return fault(Fault.STATUS_LINE, "v" + variant, bytes, After.KEEP, status, text, null, true,
                wire.headLength);
    }

    private Case headers(Wire wire, byte[] body, int status, String text) {
        int variant = random.nextInt(7);
        String header = switch (variant) {
            case 0 -> "content-length: " + body.length + "\r\ntransfer-encoding: chunked";
            case 1 -> "content-length: " + (body.length + 1) + "\r\ncontent-length: " + (body.length + 2);
            case 2 -> "content-length: abc";
            case 3 -> "content-length: -1";
            case 4 -> "no-colon-here";
            case 5 -> "x-bad\u0001name: value";
            default -> "x-bad-value: a\u0000b";
        };
        // Inserted right after the status line, so it precedes (and conflicts with) the response's own framing.
        int statusEnd = indexOf(wire.bytes, (byte) '\n', 0) + 1;
        byte[] bytes = Bytes.concat(Arrays.copyOf(wire.bytes, statusEnd), Bytes.ascii(header + "\r\n"),
                Arrays.copyOfRange(wire.bytes, statusEnd, wire.bytes.length));
        return fault(Fault.HEADERS, "v" + variant, bytes, After.KEEP, status, text, null, true,
                wire.headLength + header.length() + 2);
    }

    private Case chunkSize(Wire wire, int status, String text) {
        int[] line = wire.sizeLines.get(random.nextInt(wire.sizeLines.size()));
        String[] bad = {"zz", "-1", "fffffffffffffffff", "", "1 2", "0x10"};
        int variant = random.nextInt(bad.length);
        byte[] bytes = Bytes.concat(Arrays.copyOf(wire.bytes, line[0]), Bytes.ascii(bad[variant]),
                Arrays.copyOfRange(wire.bytes, line[1], wire.bytes.length));
        return fault(Fault.CHUNK_SIZE, "v" + variant, bytes, After.KEEP, status, text, null, true, wire.headLength);
    }

    private Case byteFlip(Wire wire, int status, String text) {
        // Only framing bytes: the head and the chunk-size lines (the content inside events is left alone).
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < wire.headLength - 2; i++) {
            positions.add(i);
        }
        for (int[] line : wire.sizeLines) {
            for (int i = line[0]; i < line[1]; i++) {
                positions.add(i);
            }
        }
        int at = positions.get(random.nextInt(positions.size()));
        byte[] bytes = wire.bytes.clone();
        byte flipped;
        do {
            flipped = (byte) random.nextInt(256);
        } while (flipped == bytes[at]);
        bytes[at] = flipped;
        String where = at < wire.headLength ? "head" : "chunk-size";
        return fault(Fault.BYTE_FLIP, where, bytes, After.CLOSE, status, text, null, false, wire.headLength);
    }

    private Case hugeLine(Wire wire, boolean sse, int status, String text, String lineEnd) {
        int variant = random.nextInt(sse ? 3 : 2);
        byte[] bytes;
        if (variant == 0) {
            bytes = Bytes.concat(Bytes.ascii("HTTP/1.1 200 "), Bytes.repeat('x', 8192), Bytes.ascii("\r\n\r\n"));
        } else if (variant == 1) {
            int statusEnd = indexOf(wire.bytes, (byte) '\n', 0) + 1;
            bytes = Bytes.concat(Arrays.copyOf(wire.bytes, statusEnd), Bytes.ascii("x-huge: "),
                    Bytes.repeat('h', 70 * 1024), Bytes.ascii("\r\n"),
                    Arrays.copyOfRange(wire.bytes, statusEnd, wire.bytes.length));
        } else {
            byte[] line = Bytes.concat(Bytes.ascii("data: {\"x\":\""), Bytes.repeat('d', maxSseEventBytes + 1),
                    Bytes.ascii("\"}" + lineEnd + lineEnd));
            bytes = frame(status, "text/event-stream", line, Framing.CHUNKED, false).bytes;
        }
        return fault(Fault.HUGE_LINE, "v" + variant, bytes, After.KEEP, status, text, null, true, wire.headLength);
    }

    /** The response with its Content-Length value replaced. */
    private static byte[] replaceLength(Wire wire, int length) {
        String head = new String(wire.bytes, 0, wire.headLength, StandardCharsets.ISO_8859_1);
        String replaced = head.replaceFirst("content-length: \\d+", "content-length: " + length);
        return Bytes.concat(Bytes.ascii(replaced), Arrays.copyOfRange(wire.bytes, wire.headLength,
                wire.bytes.length));
    }

    private Wire frame(int status, String contentType, byte[] body, Framing framing, boolean sayClose) {
        List<String> headers = new ArrayList<>(List.of("content-type", contentType));
        if (framing == Framing.LENGTH) {
            headers.addAll(List.of("content-length", Integer.toString(body.length)));
        } else if (framing == Framing.CHUNKED) {
            headers.addAll(List.of("transfer-encoding", "chunked"));
        }
        if (sayClose || framing == Framing.CLOSE) {
            headers.addAll(List.of("connection", "close"));
        }
        byte[] head = Bytes.head("HTTP/1.1 " + status + (status == 200 ? " OK" : " Bad Request"),
                headers.toArray(String[]::new));
        if (framing != Framing.CHUNKED) {
            return new Wire(Bytes.concat(head, body), head.length, body, List.of());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head);
        List<int[]> sizeLines = new ArrayList<>();
        int at = 0;
        while (at < body.length) {
            int piece = Math.min(body.length - at, 1 + random.nextInt(random.nextBoolean() ? 16 : 700));
            byte[] size = Bytes.ascii(Integer.toHexString(piece));
            sizeLines.add(new int[] {out.size(), out.size() + size.length});
            out.writeBytes(size);
            out.writeBytes(Bytes.ascii("\r\n"));
            out.write(body, at, piece);
            out.writeBytes(Bytes.ascii("\r\n"));
            at += piece;
        }
        sizeLines.add(new int[] {out.size(), out.size() + 1});
        out.writeBytes(Bytes.LAST_CHUNK);
        return new Wire(out.toByteArray(), head.length, body, sizeLines);
    }

    private String text() {
        StringBuilder text = new StringBuilder();
        int words = 1 + random.nextInt(30);
        for (int i = 0; i < words; i++) {
            text.append(WORDS[random.nextInt(WORDS.length)]).append(i + 1 < words ? " " : "");
        }
        return text.toString();
    }

    /** The text in 1 to 4 word pieces, each one streamed delta. */
    private List<String> pieces(String text) {
        List<String> pieces = new ArrayList<>();
        String[] words = text.split("(?<= )");
        for (int i = 0; i < words.length; ) {
            int n = Math.min(words.length - i, 1 + random.nextInt(4));
            pieces.add(String.join("", Arrays.copyOfRange(words, i, i + n)));
            i += n;
        }
        return pieces;
    }

    static String model(Api api) {
        return api == Api.OPENAI ? "fast" : "claude";
    }

    /**
     * A gateway config with one provider of each API at {@code baseUrl}, both with {@code providerLines}: "up"
     * (OpenAI-compatible, model "fast") and "anthropic" (model "claude"); {@code extra} follows.
     */
    static String config(String baseUrl, String providerLines, String extra) {
        return GatewayHarness.openAiConfig(baseUrl, providerLines + """

                [providers.anthropic]
                type = "anthropic"
                base_url = "%s"
                api_key = "sk-ant-test"
                %s
                [models."fast"]
                provider = "up"

                [models."claude"]
                provider = "anthropic"
                """.formatted(baseUrl, providerLines) + extra);
    }

    private static byte[] jsonAnswer(Api api, String text) {
        return Bytes.utf8(api == Api.OPENAI
                ? "{\"id\":\"chatcmpl-f\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"fast\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + text + "\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":5,"
                + "\"total_tokens\":8}}"
                : "{\"id\":\"msg_f\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"" + text + "\"}],\"stop_reason\":\"end_turn\","
                + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":3,\"output_tokens\":5}}");
    }

    private static byte[] errorBody(Api api, String message) {
        return Bytes.utf8(api == Api.OPENAI
                ? "{\"error\":{\"message\":\"" + message + "\",\"type\":\"invalid_request_error\",\"param\":null,"
                + "\"code\":null}}"
                : "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"" + message
                + "\"}}");
    }

    private byte[] events(Api api, String text, String lineEnd) {
        StringBuilder sse = new StringBuilder();
        List<String> pieces = pieces(text);
        if (api == Api.OPENAI) {
            String chunk = "{\"id\":\"chatcmpl-f\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"fast\","
                    + "\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}";
            event(sse, null, chunk.formatted("{\"role\":\"assistant\",\"content\":\"\"}", "null"), lineEnd);
            for (String piece : pieces) {
                event(sse, null, chunk.formatted("{\"content\":\"" + piece + "\"}", "null"), lineEnd);
            }
            event(sse, null, chunk.formatted("{}", "\"stop\""), lineEnd);
            event(sse, null, "{\"id\":\"chatcmpl-f\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                    + "\"model\":\"fast\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":5,"
                    + "\"total_tokens\":8}}", lineEnd);
            event(sse, null, "[DONE]", lineEnd);
        } else {
            event(sse, "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_f\",\"type\":\"message\","
                    + "\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"stop_reason\":null,"
                    + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}", lineEnd);
            event(sse, "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                    + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}", lineEnd);
            for (String piece : pieces) {
                event(sse, "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + piece + "\"}}", lineEnd);
            }
            event(sse, "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}", lineEnd);
            event(sse, "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                    + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}", lineEnd);
            event(sse, "message_stop", "{\"type\":\"message_stop\"}", lineEnd);
        }
        return Bytes.utf8(sse.toString());
    }

    private static void event(StringBuilder sse, String name, String data, String lineEnd) {
        if (name != null) {
            sse.append("event: ").append(name).append(lineEnd);
        }
        sse.append("data: ").append(data).append(lineEnd).append(lineEnd);
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
