package dev.llmgateway.testutil;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway as a real process on a config file, its output collected, signalled as an orchestrator would. */
public final class GatewayProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final Thread reader;
    private final StringBuffer output = new StringBuffer();
    private final int port;

    /** Starts {@code mainClass --config config} in {@code dir} and waits (up to 30 s) until it listens. */
    public GatewayProcess(Class<?> mainClass, Path dir, Path config) throws IOException, InterruptedException {
        this(List.of(), mainClass, dir, config);
    }

    /**
     * The same, run through {@code launcher} (a command that execs the rest, such as {@code nohup}), so the gateway
     * starts in the process state the launcher leaves it (SIGHUP ignored) and keeps the pid that is signalled.
     */
    public GatewayProcess(List<String> launcher, Class<?> mainClass, Path dir, Path config)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), mainClass.getName(), "--config", config.toString()));
        process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        LinkedBlockingQueue<Integer> listening = new LinkedBlockingQueue<>();
        reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    output.append(line).append('\n');
                    Matcher matcher = LISTENING.matcher(line);
                    if (matcher.find()) {
                        listening.add(Integer.parseInt(matcher.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "gateway-output");
        reader.setDaemon(true);
        reader.start();
        Integer found = listening.poll(30, TimeUnit.SECONDS);
        assertNotNull(found, "the gateway did not start: " + output);
        port = found;
    }

    public int port() {
        return port;
    }

    public String output() {
        return output.toString();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM on Linux; unlike Process.destroy(), ProcessHandle.destroy() leaves the output stream to be read. */
    public void sigterm() {
        assertTrue(process.toHandle().destroy());
    }

    /** Sends a signal by name ({@code HUP}) with kill(1), as an operator would. */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue(), "kill -" + name);
    }

    /** Waits (up to ten seconds) until the output holds {@code text}. */
    public void awaitOutput(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!output.toString().contains(text)) {
            assertTrue(System.nanoTime() < deadline, "no \"" + text + "\" in the output: " + output);
            Thread.sleep(20);
        }
    }

    /** Waits for the exit and for the last output lines; returns the exit code. */
    public int exitCode() throws InterruptedException {
        assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the process exits: " + output);
        reader.join(5000);
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
