package dev.llmgateway.tracing;

import io.opentelemetry.common.ComponentLoader;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.Compressor;
import io.opentelemetry.sdk.common.export.HttpResponse;
import io.opentelemetry.sdk.common.export.HttpSender;
import io.opentelemetry.sdk.common.export.HttpSenderConfig;
import io.opentelemetry.sdk.common.export.HttpSenderProvider;
import io.opentelemetry.sdk.common.export.MessageWriter;
import io.opentelemetry.sdk.common.export.RetryPolicy;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Posts each OTLP export from the thread that exports (the batch span processor's, never an event loop) with the
 * JDK's {@link HttpURLConnection}, blocking: the protobuf is written straight into the connection, which the JDK
 * keeps alive between exports. The SDK's own JDK sender hands every export to an executor thread that marshals it
 * into an array, which {@code java.net.http.HttpClient} then copies into its buffers and writes from its selector
 * thread: three threads and two copies per export, as much CPU as the encoding itself. The SDK's semantics stay:
 * the exporter's timeout bounds each attempt (a collector that stops reading has its connection closed by a
 * watchdog, as a blocking write has no timeout of its own) and all of them together, retries follow its retry
 * policy (429, 502, 503, 504 and I/O failures other than TLS ones, with jittered exponential backoff), and
 * compression and headers are the exporter's.
 */
final class BlockingHttpSender implements HttpSender {
    /** Statuses worth another attempt, as the SDK's senders retry them. */
    private static final List<Integer> RETRYABLE = List.of(429, 502, 503, 504);
    /** Encoding writes small pieces: gathered into writes of this size. */
    private static final int WRITE_BUFFER = 64 * 1024;

    private final HttpSenderConfig config;
    /** Closes the connection of an attempt that outlives the timeout. */
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "otlp-export-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    BlockingHttpSender(HttpSenderConfig config) {
        this.config = config;
    }

    /** Loads this sender for the exporter, and anything else the SDK looks up as it would. */
    static ComponentLoader loader() {
        ComponentLoader classpath = ComponentLoader.forClassLoader(BlockingHttpSender.class.getClassLoader());
        HttpSenderProvider provider = BlockingHttpSender::new;
        return new ComponentLoader() {
            @Override
            @SuppressWarnings("unchecked")
            public <T> Iterable<T> load(Class<T> spi) {
                return spi == HttpSenderProvider.class ? (Iterable<T>) List.of(provider) : classpath.load(spi);
            }
        };
    }

    @Override
    public void send(MessageWriter message, Consumer<HttpResponse> onResponse, Consumer<Throwable> onError) {
        HttpResponse response;
        try {
            response = sendWithRetries(message);
        } catch (IOException | RuntimeException e) {
            onError.accept(e);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            onError.accept(e);
            return;
        }
        onResponse.accept(response);
    }

    private HttpResponse sendWithRetries(MessageWriter message) throws IOException, InterruptedException {
        RetryPolicy retry = config.getRetryPolicy();
        int attempts = retry == null ? 1 : retry.getMaxAttempts();
        long deadline = System.nanoTime() + config.getTimeout().toNanos();
        long backoff = retry == null ? 0 : retry.getInitialBackoff().toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse response = post(message);
                if (attempt >= attempts || !RETRYABLE.contains(response.getStatusCode())) {
                    return response;
                }
            } catch (IOException e) {
                if (attempt >= attempts || !retryable(retry, e)) {
                    throw e;
                }
            }
            long wait = Math.min((long) (backoff * ThreadLocalRandom.current().nextDouble(0.8, 1.2)),
                    deadline - System.nanoTime());
            if (wait <= 0) {
                throw new IOException("export timed out after " + attempt + " attempts");
            }
            TimeUnit.NANOSECONDS.sleep(wait);
            backoff = Math.min((long) (backoff * retry.getBackoffMultiplier()), retry.getMaxBackoff().toNanos());
        }
    }

    private static boolean retryable(RetryPolicy retry, IOException e) {
        var predicate = retry.getRetryExceptionPredicate();
        return predicate != null ? predicate.test(e) : !(e instanceof SSLException);
    }

    private HttpResponse post(MessageWriter message) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) config.getEndpoint().toURL().openConnection(Proxy.NO_PROXY);
        if (connection instanceof HttpsURLConnection https && config.getSslContext() != null) {
            https.setSSLSocketFactory(config.getSslContext().getSocketFactory());
        }
        int timeout = (int) Math.min(Integer.MAX_VALUE, Math.max(1, config.getTimeout().toMillis()));
        connection.setConnectTimeout((int) Math.min(timeout, Math.max(1, config.getConnectTimeout().toMillis())));
        connection.setReadTimeout(timeout);
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setRequestProperty("Content-Type", config.getContentType());
        Map<String, List<String>> headers = config.getHeadersSupplier().get();
        if (headers != null) {
            headers.forEach((name, values) -> values.forEach(value -> connection.addRequestProperty(name, value)));
        }
        Compressor compressor = config.getCompressor();
        int length = message.getContentLength();
        if (compressor == null && length >= 0) {
            connection.setFixedLengthStreamingMode(length);
        } else {
            connection.setChunkedStreamingMode(WRITE_BUFFER);
        }
        if (compressor != null) {
            connection.setRequestProperty("Content-Encoding", compressor.getEncoding());
        }
        ScheduledFuture<?> overdue = watchdog.schedule(connection::disconnect, timeout, TimeUnit.MILLISECONDS);
        try {
            try (OutputStream body = new BufferedOutputStream(connection.getOutputStream(), WRITE_BUFFER);
                 OutputStream encoded = compressor == null ? body : compressor.compress(body)) {
                message.writeMessage(encoded);
            }
            int status = connection.getResponseCode();
            String reason = connection.getResponseMessage();
            byte[] answer = read(status >= 400 ? connection.getErrorStream() : connection.getInputStream());
            return new Response(status, reason == null ? "" : reason, answer);
        } catch (IOException e) {
            connection.disconnect(); // a connection in an unknown state is not reused
            throw e;
        } finally {
            overdue.cancel(false);
        }
    }

    /** The response body, at most the configured size; read to its end so the connection can be reused. */
    private byte[] read(InputStream in) throws IOException {
        if (in == null) {
            return new byte[0];
        }
        try (in) {
            byte[] kept = in.readNBytes((int) Math.min(Integer.MAX_VALUE, config.getMaxResponseBodySize()));
            in.transferTo(OutputStream.nullOutputStream());
            return kept;
        }
    }

    @Override
    public CompletableResultCode shutdown() {
        watchdog.shutdownNow();
        return CompletableResultCode.ofSuccess();
    }

    private record Response(int status, String reason, byte[] body) implements HttpResponse {
        @Override
        public int getStatusCode() {
            return status;
        }

        @Override
        public String getStatusMessage() {
            return reason;
        }

        @Override
        public byte[] getResponseBody() {
            return body;
        }
    }
}
