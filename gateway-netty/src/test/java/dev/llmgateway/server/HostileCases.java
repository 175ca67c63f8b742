package dev.llmgateway.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Generates the malformed inputs of {@link HostileInputTest}: each case is the bytes one connection sends and how
 * the client ends it. Sizes fit the test server's small limits (1 KiB heads, 4 KiB bodies).
 */
final class HostileCases {
    /** What a case throws at the server; the test reports how many of each it sent. */
    enum Kind {
        GARBAGE, TRUNCATED, BAD_REQUEST_LINE, BAD_HEADERS, BAD_CONTENT_LENGTH, BAD_CHUNKED, EXPECT_CONTINUE,
        PIPELINED, DROPPED, HTTP_1_0
    }

    /** How the client ends its side: half-close and read; keep it open and read; abortive close (RST). */
    enum Ending { SHUTDOWN_OUTPUT, HOLD_OPEN, RESET }

    record Case(int index, Kind kind, byte[] bytes, Ending ending) {
        String describe() {
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            return "case " + index + " " + kind + " " + ending + ": "
                    + (text.length() > 300 ? text.substring(0, 300) + "..." : text).replace("\r", "\\r")
                    .replace("\n", "\\n");
        }
    }

    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM = "{\"model\":\"m\",\"stream\":true,\"messages\":[]}";

    private final String key;

    HostileCases(String key) {
        this.key = key;
    }

    Case next(int index, Random random) {
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        Ending ending = kind == Kind.DROPPED ? Ending.RESET
                : Ending.values()[random.nextInt(Ending.values().length)];
        return new Case(index, kind, bytes(kind, random), ending);
    }

    private byte[] bytes(Kind kind, Random random) {
        return switch (kind) {
            case GARBAGE -> garbage(random);
            case TRUNCATED -> {
                byte[] whole = valid(random).getBytes(StandardCharsets.ISO_8859_1);
                byte[] cut = new byte[1 + random.nextInt(whole.length - 1)];
                System.arraycopy(whole, 0, cut, 0, cut.length);
                yield cut;
            }
            case BAD_REQUEST_LINE -> ascii(pick(random, List.of(
                    "GET\r\n\r\n", "GET / HTTP/2.0\r\nHost: g\r\n\r\n", "GET / HTTX/1.1\r\nHost: g\r\n\r\n",
                    "GET /health\r\n\r\n", "/health HTTP/1.1\r\n\r\n", "GET  /health  HTTP/1.1\r\nHost: g\r\n\r\n",
                    "GET /" + "a".repeat(1100 + random.nextInt(500)) + " HTTP/1.1\r\nHost: g\r\n\r\n",
                    "G\u0000T / HTTP/1.1\r\n\r\n", "GET / HTTP/1.1 extra\r\n\r\n", "get /health http/1.1\r\n\r\n",
                    "\r\n\r\nGET /health HTTP/1.1\r\nHost: g\r\n\r\n", "GET http://g/health HTTP/1.1\r\nHost: g\r\n\r\n",
                    "CONNECT g:443 HTTP/1.1\r\nHost: g:443\r\n\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                    "TRACE / HTTP/1.1\r\nHost: g\r\n\r\n", "GET /%zz%00 HTTP/1.1\r\nHost: g\r\n\r\n",
                    "GET /health HTTP/1.1\nHost: g\n\n", "GET\t/health\tHTTP/1.1\r\n\r\n")));
            case BAD_HEADERS -> ascii("GET /health HTTP/1.1\r\n" + pick(random, List.of(
                    "X-Big: " + "b".repeat(1100 + random.nextInt(3000)) + "\r\n",
                    "X-Many: 1\r\n".repeat(100 + random.nextInt(200)),
                    "Bad Name: x\r\n", "NoColon\r\n", ": empty-name\r\n", "X-Ctl: a\u0001\u0007b\r\n",
                    "X-Fold: a\r\n folded\r\n", "Host: a\r\nHost: b\r\n", " Leading: space\r\n",
                    "X-Nul: \u0000\r\n", "Authorization: Bearer " + "k".repeat(900) + "\r\n",
                    "Content-Type: application/json\r\nContent-Type: text/plain\r\n")) + "\r\n");
            case BAD_CONTENT_LENGTH -> ascii(pick(random, List.of(
                    post("Content-Length: abc\r\n", CHAT), post("Content-Length: -1\r\n", CHAT),
                    post("Content-Length: 1,2\r\n", CHAT), post("Content-Length: 5\r\nContent-Length: 6\r\n", CHAT),
                    post("Content-Length: 99999999999999999999\r\n", CHAT),
                    post("Content-Length: 100000\r\n", CHAT),
                    post("Content-Length: " + (CHAT.length() + 20) + "\r\n", CHAT),
                    post("Content-Length: 3\r\n", CHAT),
                    post("Content-Length: " + CHAT.length() + "\r\nTransfer-Encoding: chunked\r\n", CHAT))));
            case BAD_CHUNKED -> ascii(pick(random, List.of(
                    chunked("zz\r\nab\r\n0\r\n\r\n"), chunked("-1\r\nab\r\n0\r\n\r\n"),
                    chunked("2\r\nabcd\r\n0\r\n\r\n"), chunked("FFFFFFFF\r\nab"), chunked("5\r\nab"),
                    chunked(("3E8\r\n" + "x".repeat(1000) + "\r\n").repeat(5) + "0\r\n\r\n"),
                    chunked("2;ext=\"unterminated\r\nab\r\n0\r\n\r\n"), chunked("2\r\n{}\r\n"),
                    chunked("2\r\n{}\r\n0\r\nBad Trailer\r\n\r\n"),
                    post("Transfer-Encoding: chunked, gzip\r\n", "2\r\n{}\r\n0\r\n\r\n"),
                    post("Transfer-Encoding: gzip\r\n", "{}"),
                    post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "2\r\n{}\r\n0\r\n\r\n"))));
            case EXPECT_CONTINUE -> ascii(pick(random, List.of(
                    post("Expect: 100-continue\r\nContent-Length: " + CHAT.length() + "\r\n", CHAT),
                    post("Expect: 100-continue\r\nContent-Length: 50000\r\n", ""),
                    post("Expect: 100-continue\r\nContent-Length: 50000\r\n", "x".repeat(5000)),
                    post("Expect: 200-ok\r\nContent-Length: " + CHAT.length() + "\r\n", CHAT),
                    post("Expect: 100-continue\r\nTransfer-Encoding: chunked\r\n",
                            Integer.toHexString(CHAT.length()) + "\r\n" + CHAT + "\r\n0\r\n\r\n"))));
            case PIPELINED -> {
                StringBuilder requests = new StringBuilder();
                for (int i = 1 + random.nextInt(6); i > 0; i--) {
                    requests.append(random.nextInt(4) == 0
                            ? new String(bytes(Kind.values()[random.nextInt(7)], random), StandardCharsets.ISO_8859_1)
                            : valid(random));
                }
                yield ascii(requests.toString());
            }
            case DROPPED -> {
                byte[] whole = valid(random).getBytes(StandardCharsets.ISO_8859_1);
                byte[] cut = new byte[random.nextInt(whole.length + 1)];
                System.arraycopy(whole, 0, cut, 0, cut.length);
                yield cut;
            }
            case HTTP_1_0 -> ascii(pick(random, List.of(
                    "GET /health HTTP/1.0\r\n\r\n", "GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
                    "GET /v1/models HTTP/1.0\r\nAuthorization: Bearer " + key + "\r\n\r\n",
                    "POST /v1/chat/completions HTTP/1.0\r\nAuthorization: Bearer " + key
                            + "\r\nContent-Type: application/json\r\nContent-Length: " + CHAT.length() + "\r\n\r\n"
                            + CHAT,
                    "POST /v1/chat/completions HTTP/1.0\r\nAuthorization: Bearer " + key
                            + "\r\nContent-Type: application/json\r\nContent-Length: " + STREAM.length()
                            + "\r\n\r\n" + STREAM,
                    "POST /v1/chat/completions HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
                    "GET /health HTTP/0.9\r\n\r\n", "GET /health\r\n")));
        };
    }

    /** A well-formed request the server answers normally. */
    private String valid(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> "GET /health HTTP/1.1\r\nHost: g\r\n\r\n";
            case 1 -> "GET /v1/models HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer " + key + "\r\n\r\n";
            case 2 -> post("Content-Length: " + CHAT.length() + "\r\n", CHAT);
            case 3 -> post("Content-Length: " + STREAM.length() + "\r\n", STREAM);
            default -> post("Content-Length: 7\r\n", "{\"a\":1,");
        };
    }

    private String post(String framing, String body) {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: g\r\nAuthorization: Bearer " + key
                + "\r\nContent-Type: application/json\r\n" + framing + "\r\n" + body;
    }

    private String chunked(String body) {
        return post("Transfer-Encoding: chunked\r\n", body);
    }

    private static byte[] garbage(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int length = 1 + random.nextInt(random.nextBoolean() ? 64 : 2048);
        boolean printable = random.nextBoolean();
        for (int i = 0; i < length; i++) {
            if (printable) {
                out.write(random.nextInt(10) == 0 ? '\n' : random.nextInt(10) == 0 ? '\r' : 32 + random.nextInt(95));
            } else {
                out.write(random.nextInt(256));
            }
        }
        if (random.nextBoolean()) {
            out.writeBytes("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    private static <T> T pick(Random random, List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
