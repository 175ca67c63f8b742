package dev.llmgateway.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A proxy under test (nginx or the gateway) running as a child process, optionally pinned with taskset. Every pid
 * it starts is appended to {@code <runDir>/pids}, so scripts/bench can still stop them if this JVM dies hard.
 */
final class ProxyProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final Path pidFile;

    private ProxyProcess(String name, Process process, Path log, Path pidFile) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.pidFile = pidFile;
    }

    /** Starts {@code command}, on {@code cpus} when given ({@code taskset -c} execs, so the pid is the proxy's). */
    static ProxyProcess start(String name, List<String> command, String cpus, Path runDir) throws IOException {
        List<String> argv = new ArrayList<>();
        if (cpus != null) {
            argv.addAll(List.of("taskset", "-c", cpus));
        }
        argv.addAll(command);
        Path log = runDir.resolve(name + ".log");
        Process process = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        ProxyProcess proxy = new ProxyProcess(name, process, log, runDir.resolve("pids"));
        proxy.recordPids();
        return proxy;
    }

    /** Waits until the proxy accepts connections on {@code port}; fails fast, with its log, if it exits. */
    void awaitListening(int port, long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + ":\n" + logTail());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                // Workers (nginx) are forked by now: record them too.
                recordPids();
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException(name + " did not listen on port " + port + " within " + timeoutMillis + " ms:\n"
                + logTail());
    }

    /** Waits until {@code GET /ready} answers 200; fails fast, with its log, if the proxy exits. */
    void awaitReady(int port, long timeoutMillis) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
                .timeout(Duration.ofSeconds(1)).build();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + ":\n" + logTail());
            }
            try {
                if (client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(50);
        }
        throw new IOException(name + " was not ready within " + timeoutMillis + " ms:\n" + logTail());
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    Path log() {
        return log;
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM (nginx: fast shutdown; the JVM: shutdown hooks), then SIGKILL for whatever is left after 5 s. */
    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    private void recordPids() throws IOException {
        StringBuilder pids = new StringBuilder().append(process.pid()).append('\n');
        process.descendants().forEach(child -> pids.append(child.pid()).append('\n'));
        Files.writeString(pidFile, pids, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
