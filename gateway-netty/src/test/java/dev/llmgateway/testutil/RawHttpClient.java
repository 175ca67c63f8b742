package dev.llmgateway.testutil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** One raw TCP connection speaking HTTP/1.1 by hand: for tests about framing, keep-alive and malformed input. */
public final class RawHttpClient implements AutoCloseable {
    /** A parsed response; header names lower-cased. */
    public record Response(int status, Map<String, String> headers, String body) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttpClient(int port) throws IOException {
        this(port, null);
    }

    /** Over TLS when {@code tls} is given: the handshake (verifying the server for 127.0.0.1) is done on return. */
    public RawHttpClient(int port, SSLContext tls) throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        plain.setSoTimeout(10_000);
        if (tls == null) {
            socket = plain;
        } else {
            SSLSocket secured = (SSLSocket) tls.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
            SSLParameters parameters = secured.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            secured.setSSLParameters(parameters);
            secured.startHandshake();
            socket = secured;
        }
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** The certificate the server presented (TLS only). */
    public X509Certificate peerCertificate() throws IOException {
        return (X509Certificate) ((SSLSocket) socket).getSession().getPeerCertificates()[0];
    }

    public RawHttpClient send(String raw) throws IOException {
        return send(raw.getBytes(StandardCharsets.UTF_8));
    }

    public RawHttpClient send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    /** A POST with a JSON body and the given key. */
    public static String post(String path, String key, String json) {
        return "POST " + path + " HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer " + key
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
    }

    /** Reads one response: Content-Length, chunked, or (without either) until the connection closes. */
    public Response read() throws IOException {
        Response head = readHead();
        int status = head.status();
        Map<String, String> headers = head.headers();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            return new Response(status, headers, readChunkedBody());
        } else if (status != 100 && status != 204 && status != 304) {
            body.write(in.readAllBytes());
        }
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    /** Reads a chunked body to its end (after {@link #readHead()}); trailers are skipped. */
    public String readChunkedBody() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String sizeLine;
        int size;
        while ((sizeLine = line()) != null && (size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16)) > 0) {
            body.write(in.readNBytes(size));
            line();
        }
        if (sizeLine == null) {
            throw new IOException("connection closed inside a chunked body: " + body.toString(StandardCharsets.UTF_8));
        }
        String trailer;
        while ((trailer = line()) != null && !trailer.isEmpty()) {
            // trailers
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    /** Reads the status line and headers of a response, leaving its body unread. */
    public Response readHead() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while (!(line = line()).isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return new Response(status, headers, "");
    }

    /** True when the server has closed its side: a read returns end of stream. */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
