package dev.llmgateway.testutil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider on 127.0.0.1 that can send any bytes: a plain {@link ServerSocket} that reads each request itself
 * (head, then body by Content-Length) and answers with whatever its {@link Script} writes — malformed status lines,
 * broken chunking, conflicting lengths, huge lines, invalid UTF-8, a slow drip, an early close or a reset. Nothing
 * on the way out is parsed or fixed, so a test controls every byte and where the writes split ({@link Bytes}
 * builds the usual shapes). After a script returns with the socket still open, the next request on the same
 * connection is read (keep-alive); a script ends the connection with {@link Answer#close()} or
 * {@link Answer#reset()}.
 *
 * <p>One thread per connection; every read is bounded by a socket timeout and every drip by a total, so a test
 * that forgets a connection still stops. The provider's view of its connections ({@link #openConnections()}) is
 * how a test sees the gateway close one: the thread waiting for the next request reads end of stream.
 */
public final class FaultyProvider implements AutoCloseable {
    /** A request head larger than this is refused (the connection closed): the gateway never sends one. */
    private static final int MAX_HEAD_BYTES = 1 << 20;
    /** How long a connection waits for its next request before the provider gives it up. */
    private static final int READ_TIMEOUT_MILLIS = 120_000;
    /** The longest a single {@link Answer#drip} may take, so a scripted slow answer cannot outlive its test. */
    private static final int MAX_DRIP_SECONDS = 30;

    /** What the provider does with one request. */
    @FunctionalInterface
    public interface Script {
        void answer(Request request, Answer answer) throws IOException, InterruptedException;
    }

    /**
     * One request as the provider read it.
     *
     * @param connection which accepted connection it came on, from 1
     * @param sequence   its place among the requests on that connection, from 1
     * @param headers    names lower-cased; a repeated name keeps its last value
     */
    public record Request(int connection, int sequence, String method, String target, Map<String, String> headers,
                          byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "faulty-provider");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** Appended by the connection threads; long runs add many, so no copy per request. */
    private final List<Request> received = Collections.synchronizedList(new ArrayList<>());
    private final List<Throwable> scriptFailures = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile Script script;

    public FaultyProvider(Script script) throws IOException {
        this.script = script;
        this.server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    /** Answers every request with {@code response} and keeps the connection open. */
    public static Script always(byte[] response) {
        return (request, answer) -> answer.send(response);
    }

    /** Answers every request with {@code response}, then closes the connection. */
    public static Script thenClose(byte[] response) {
        return (request, answer) -> {
            answer.send(response);
            answer.close();
        };
    }

    /** Replaces the script for the requests still to come. */
    public void script(Script next) {
        this.script = next;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** An OpenAI-style base URL for the config. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /** The requests so far, in arrival order (a copy). */
    public List<Request> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    public int connectionsAccepted() {
        return accepted.get();
    }

    /** Connections neither side has closed yet, as the provider sees them. */
    public int openConnections() {
        return open.size();
    }

    /** Exceptions a script threw other than the I/O errors of a peer that went away; a test may assert none. */
    public List<Throwable> scriptFailures() {
        return scriptFailures;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.forEach(FaultyProvider::closeQuietly);
        threads.shutdownNow();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException closed) {
                return;
            }
            int id = accepted.incrementAndGet();
            open.add(socket);
            threads.execute(() -> serve(socket, id));
        }
    }

    private void serve(Socket socket, int connection) {
        try (socket) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            InputStream in = socket.getInputStream();
            Answer answer = new Answer(socket);
            for (int sequence = 1; !answer.closed; sequence++) {
                Request request = readRequest(in, connection, sequence);
                if (request == null) {
                    return;
                }
                received.add(request);
                script.answer(request, answer);
            }
        } catch (SocketException | SocketTimeoutException gone) {
            // the gateway closed or reset the connection, or it sat silent too long
        } catch (IOException | RuntimeException | InterruptedException | Error failure) {
            scriptFailures.add(failure);
        } finally {
            open.remove(socket);
        }
    }

    /** The next request, or null at end of stream (the gateway closed the connection) or a request it cannot read. */
    private static Request readRequest(InputStream in, int connection, int sequence) throws IOException {
        byte[] head = readHead(in);
        if (head == null) {
            return null;
        }
        String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ", 3);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        String length = headers.get("content-length");
        byte[] body = length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
        if (length != null && body.length != Integer.parseInt(length)) {
            return null;
        }
        return new Request(connection, sequence, requestLine[0], requestLine.length > 1 ? requestLine[1] : "",
                headers, body);
    }

    /** The request head without its blank line, or null when the stream ends first. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (head.size() < MAX_HEAD_BYTES) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                byte[] bytes = head.toByteArray();
                return Arrays.copyOf(bytes, bytes.length - 4);
            }
        }
        return null;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    /** The response side of one connection; each call writes and flushes at once. */
    public static final class Answer {
        private final Socket socket;
        private final OutputStream out;
        private boolean closed;

        Answer(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        public Answer send(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
            return this;
        }

        public Answer send(String text) throws IOException {
            return send(text.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Writes {@code bytes} a piece of {@code pieceBytes} at a time with {@code pause} between pieces; all the
         * pauses together may not pass {@value FaultyProvider#MAX_DRIP_SECONDS} seconds.
         */
        public Answer drip(byte[] bytes, int pieceBytes, Duration pause) throws IOException, InterruptedException {
            long pieces = (bytes.length + pieceBytes - 1L) / pieceBytes;
            if (pause.multipliedBy(Math.max(0, pieces - 1)).compareTo(Duration.ofSeconds(MAX_DRIP_SECONDS)) > 0) {
                throw new IllegalArgumentException("a drip of " + pieces + " pieces every " + pause
                        + " outlasts " + MAX_DRIP_SECONDS + " s");
            }
            for (int at = 0; at < bytes.length; at += pieceBytes) {
                if (at > 0) {
                    Thread.sleep(pause.toMillis());
                }
                out.write(bytes, at, Math.min(pieceBytes, bytes.length - at));
                out.flush();
            }
            return this;
        }

        /** Ends the connection after what was written (a FIN). */
        public void close() throws IOException {
            closed = true;
            socket.close();
        }

        /** Ends the connection at once with a reset, dropping anything not yet sent. */
        public void reset() throws IOException {
            closed = true;
            socket.setSoLinger(true, 0);
            socket.close();
        }
    }

    /** Builders of raw response bytes: the usual shapes, and the pieces to break them with. */
    public static final class Bytes {
        public static final byte[] LAST_CHUNK = ascii("0\r\n\r\n");

        private Bytes() {
        }

        public static byte[] ascii(String text) {
            return text.getBytes(StandardCharsets.ISO_8859_1);
        }

        public static byte[] utf8(String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }

        /** A status line (as given, CRLF added), headers as name, value pairs, and the blank line. */
        public static byte[] head(String statusLine, String... headerPairs) {
            StringBuilder head = new StringBuilder(statusLine).append("\r\n");
            for (int i = 0; i < headerPairs.length; i += 2) {
                head.append(headerPairs[i]).append(": ").append(headerPairs[i + 1]).append("\r\n");
            }
            return ascii(head.append("\r\n").toString());
        }

        /** A whole {@code HTTP/1.1 <status> <reason>} response with Content-Length; extra headers as pairs. */
        public static byte[] withLength(int status, String contentType, byte[] body, String... headerPairs) {
            return concat(head(statusLine(status), pairs(headerPairs, "content-type", contentType,
                    "content-length", Integer.toString(body.length))), body);
        }

        /** The head of a chunked response: {@code HTTP/1.1 <status> <reason>}, the content type, chunked coding. */
        public static byte[] chunkedHead(int status, String contentType, String... headerPairs) {
            return head(statusLine(status), pairs(headerPairs, "content-type", contentType,
                    "transfer-encoding", "chunked"));
        }

        /** Each piece as one chunk (size line, bytes, CRLF); no last chunk. */
        public static byte[] chunks(byte[]... pieces) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte[] piece : pieces) {
                out.writeBytes(ascii(Integer.toHexString(piece.length) + "\r\n"));
                out.writeBytes(piece);
                out.writeBytes(ascii("\r\n"));
            }
            return out.toByteArray();
        }

        /** A whole chunked response: the head, one chunk per piece, the last chunk. */
        public static byte[] chunked(int status, String contentType, byte[]... pieces) {
            return concat(chunkedHead(status, contentType), chunks(pieces), LAST_CHUNK);
        }

        public static byte[] concat(byte[]... parts) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte[] part : parts) {
                out.writeBytes(part);
            }
            return out.toByteArray();
        }

        /** {@code count} copies of {@code b}: for huge lines and bodies. */
        public static byte[] repeat(char b, int count) {
            byte[] bytes = new byte[count];
            Arrays.fill(bytes, (byte) b);
            return bytes;
        }

        static String statusLine(int status) {
            String reason = switch (status) {
                case 200 -> "OK";
                case 400 -> "Bad Request";
                case 429 -> "Too Many Requests";
                case 500 -> "Internal Server Error";
                case 503 -> "Service Unavailable";
                default -> "Status";
            };
            return "HTTP/1.1 " + status + " " + reason;
        }

        private static String[] pairs(String[] extra, String... first) {
            String[] all = new String[first.length + extra.length];
            System.arraycopy(first, 0, all, 0, first.length);
            System.arraycopy(extra, 0, all, first.length, extra.length);
            return all;
        }
    }
}
