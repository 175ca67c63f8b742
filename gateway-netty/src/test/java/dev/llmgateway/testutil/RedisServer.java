package dev.llmgateway.testutil;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * A real Redis (Debian's {@code redis-server}) on a free 127.0.0.1 port, started by the test and never persisted
 * ({@code --save '' --appendonly no}); killed, paused and restarted on the same port as a test needs, and stopped
 * at close. Without {@code redis-server} the shared-state tests are skipped, saying how to install it, so that
 * {@code ./mvnw -B verify} needs no Redis on a user's machine; with {@value #REQUIRED} set (CI sets it, after
 * installing Redis) they fail instead, so CI never passes by skipping them. {@link #command} is a small RESP
 * client for looking at and planting state.
 */
public final class RedisServer implements AutoCloseable {
    private static final long START_TIMEOUT_MILLIS = 10_000;
    /** The environment variable that makes a missing {@code redis-server} a failure rather than a skip. */
    public static final String REQUIRED = "LLM_GATEWAY_TEST_REQUIRE_REDIS";

    private final Path binary;
    private final Path dir;
    private final int port;
    private Process process;

    private RedisServer(Path binary, Path dir, int port) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
    }

    /** Starts a Redis on a free loopback port; waits (bounded) until it answers PING. */
    public static RedisServer start() throws IOException, InterruptedException {
        RedisServer redis = new RedisServer(binary(), Files.createTempDirectory("redis-test"), freePort());
        redis.restart();
        return redis;
    }

    private static Path binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        Path debian = Path.of("/usr/bin/redis-server");
        if (Files.isExecutable(debian)) {
            return debian;
        }
        String missing = "redis-server is not installed, and the shared-state tests run against a real Redis: install it "
                + "(Debian/Ubuntu: apt-get install redis-server; .ci/run does this when it is missing)";
        if (System.getenv(REQUIRED) != null) {
            throw new IllegalStateException(missing + " [" + REQUIRED + " is set]");
        }
        Assumptions.abort(missing);
        throw new AssertionError("unreachable: Assumptions.abort throws");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** The {@code [shared] redis_url} of this server. */
    public String url() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    /** Starts (again) on the same port, empty: nothing was persisted. */
    public void restart() throws IOException, InterruptedException {
        Path log = dir.resolve("redis.log");
        process = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString(),
                "--loglevel", "warning")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited: " + Files.readString(log));
            }
            try {
                if ("PONG".equals(command("PING"))) {
                    return;
                }
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("redis-server did not answer within " + START_TIMEOUT_MILLIS + " ms: "
                + Files.readString(log));
    }

    /** SIGKILL: the connections break at once, as when a Redis host dies. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("redis-server did not die");
        }
    }

    /** SIGSTOP: connections stay open and nothing answers, as with a hung server. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " failed");
        }
    }

    /**
     * Sends one command on a connection of its own (bounded by a 5 s socket timeout) and returns the reply: a
     * string, a Long, null, or a List of those; an error reply is thrown.
     */
    public Object command(String... args) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg)
                        .append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return read(new BufferedInputStream(socket.getInputStream()));
        }
    }

    private static Object read(InputStream in) throws IOException {
        int type = in.read();
        String line = line(in);
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IOException("Redis error: " + line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes(length + 2);
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    items.add(read(in));
                }
                return items;
            }
            default:
                throw new IOException("not a RESP reply: " + (char) type + line);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed mid-reply");
            }
            line.append((char) c);
        }
        in.read();
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
