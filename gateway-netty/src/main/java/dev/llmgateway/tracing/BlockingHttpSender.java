package dev.llmgateway.tracing;

import javax.net.ssl.SSLException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.Proxy;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * Posts each OTLP export from the export thread (never an event loop) with the JDK's {@link HttpURLConnection},
 * blocking: the encoded request is written straight into the connection, which the JDK keeps alive between exports.
 * The OTLP exporter's semantics: the timeout bounds each attempt (a collector that stops reading has its connection
 * closed by a watchdog, as a blocking write has no timeout of its own) and all of them together; retries follow
 * OTLP's advice (429, 502, 503, 504 and I/O failures other than TLS ones, with jittered exponential backoff); the
 * configured headers and compression go with every post.
 */
final class BlockingHttpSender implements AutoCloseable {
    /** How often, and how far apart, a failed post is tried again. */
    record Retries(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {
        /** The OpenTelemetry exporters' default: 5 attempts, backoff from 1 s growing by 1.5 up to 5 s. */
        static final Retries OTLP = new Retries(5, Duration.ofSeconds(1), Duration.ofSeconds(5), 1.5);
    }

    /** Statuses worth another attempt, as OTLP/HTTP says. */
    private static final List<Integer> RETRYABLE = List.of(429, 502, 503, 504);
    private static final int WRITE_BUFFER = 64 * 1024;
    /** The exporters' default connect timeout, when the export timeout is not shorter. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final URL endpoint;
    private final Map<String, String> headers;
    private final Duration timeout;
    private final boolean gzip;
    /** Null: one attempt only. */
    private final Retries retries;
    /** Closes the connection of an attempt that outlives the timeout. */
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "otlp-export-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    BlockingHttpSender(URI endpoint, Map<String, String> headers, Duration timeout, boolean gzip, Retries retries) {
        try {
            this.endpoint = endpoint.toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("not a URL: " + endpoint, e);
        }
        this.headers = Map.copyOf(headers);
        this.timeout = timeout;
        this.gzip = gzip;
        this.retries = retries;
    }

    /**
     * Posts {@code body[0, length)}, trying again as the retries allow.
     *
     * @return the collector's last status
     * @throws IOException when no attempt reached the collector within the timeout
     */
    int send(byte[] body, int length) throws IOException, InterruptedException {
        int attempts = retries == null ? 1 : retries.maxAttempts();
        long deadline = System.nanoTime() + timeout.toNanos();
        long backoff = retries == null ? 0 : retries.initialBackoff().toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                int status = post(body, length);
                if (attempt >= attempts || !RETRYABLE.contains(status)) {
                    return status;
                }
            } catch (IOException e) {
                if (attempt >= attempts || e instanceof SSLException) {
                    throw e;
                }
            }
            long wait = Math.min((long) (backoff * ThreadLocalRandom.current().nextDouble(0.8, 1.2)),
                    deadline - System.nanoTime());
            if (wait <= 0) {
                throw new IOException("export timed out after " + attempt + " attempts");
            }
            TimeUnit.NANOSECONDS.sleep(wait);
            backoff = Math.min((long) (backoff * retries.multiplier()), retries.maxBackoff().toNanos());
        }
    }

    private int post(byte[] body, int length) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) endpoint.openConnection(Proxy.NO_PROXY);
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        connection.setConnectTimeout((int) Math.min(timeoutMillis, CONNECT_TIMEOUT.toMillis()));
        connection.setReadTimeout(timeoutMillis);
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setRequestProperty("Content-Type", "application/x-protobuf");
        headers.forEach(connection::addRequestProperty);
        if (gzip) {
            connection.setRequestProperty("Content-Encoding", "gzip");
            connection.setChunkedStreamingMode(WRITE_BUFFER);
        } else {
            connection.setFixedLengthStreamingMode(length);
        }
        ScheduledFuture<?> overdue = watchdog.schedule(connection::disconnect, timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            try (OutputStream out = connection.getOutputStream();
                 OutputStream encoded = gzip ? new GZIPOutputStream(new BufferedOutputStream(out, WRITE_BUFFER),
                         WRITE_BUFFER) : out) {
                encoded.write(body, 0, length);
            }
            int status = connection.getResponseCode();
            drain(status >= 400 ? connection.getErrorStream() : connection.getInputStream());
            return status;
        } catch (IOException e) {
            connection.disconnect(); // a connection in an unknown state is not reused
            throw e;
        } finally {
            overdue.cancel(false);
        }
    }

    /** Reads the answer to its end (within the watchdog's time) so that the connection can be reused. */
    private static void drain(InputStream in) throws IOException {
        if (in == null) {
            return;
        }
        try (in) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }
}
