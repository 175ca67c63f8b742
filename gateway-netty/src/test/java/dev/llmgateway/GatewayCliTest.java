package dev.llmgateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line, run as a real process: --check-config accepts the shipped example and names bad keys. */
class GatewayCliTest {
    private record Run(int exitCode, String output) {
    }

    private static Run run(Path workDir, String... args) throws IOException, InterruptedException {
        return run(workDir, Map.of(), args);
    }

    private static Run run(Path workDir, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Gateway.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        builder.environment().remove("OPENAI_API_KEY");
        builder.environment().remove("OPENROUTER_API_KEY");
        builder.environment().remove("GATEWAY_API_KEY");
        builder.environment().putAll(env);
        Process process = builder.start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void theExampleConfigIsValidAndFallsBackToTheMock(@TempDir Path dir) throws Exception {
        Path example = Path.of(System.getProperty("user.dir")).resolve("../config.toml.example").normalize();
        Run run = run(dir, "--config", example.toString(), "--check-config");
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("is valid"), run.output());
        assertTrue(run.output().contains("mock (mock)"), run.output());
        assertTrue(run.output().contains("OPENAI_API_KEY"), "the disabled provider is named: " + run.output());
    }

    @Test
    void theContainerConfigNeedsOnlyTheGatewayKey(@TempDir Path dir) throws Exception {
        String config = Path.of(System.getProperty("user.dir")).resolve("../deploy/config.toml").normalize().toString();
        Run withoutKey = run(dir, "--config", config, "--check-config");
        assertEquals(2, withoutKey.exitCode(), withoutKey.output());
        assertTrue(withoutKey.output().contains("not set: GATEWAY_API_KEY"), withoutKey.output());
        Run withKey = run(dir, Map.of("GATEWAY_API_KEY", "k-0123456789abcdef"), "--config", config, "--check-config");
        assertEquals(0, withKey.exitCode(), withKey.output());
        assertTrue(withKey.output().contains("mock (mock)"), withKey.output());
    }

    @Test
    void theTrainingRunWarmsUpOnAnyFreePortAndExits(@TempDir Path dir) throws Exception {
        String config = Path.of(System.getProperty("user.dir")).resolve("../deploy/config.toml").normalize().toString();
        Run run = run(dir, Map.of("GATEWAY_API_KEY", "k-0123456789abcdef",
                "LLM_GATEWAY__SERVER__WARMUP_REQUESTS", "24"),
                "--config", config, "--warmup-and-exit");
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("listening on 127.0.0.1:"), "not the config's 0.0.0.0:8080: " + run.output());
        assertTrue(run.output().contains("warm-up: 24 requests (8 over TLS to the upstream, 4 of them on HTTP/2) in"),
                run.output());
        assertTrue(run.output().contains("Netty leak detection disabled"), "off unless asked for: " + run.output());
    }

    @Test
    void aPortInUseIsNamed(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = dir.resolve("config.toml");
            Files.writeString(config, """
                    [server]
                    host = "127.0.0.1"
                    port = %d

                    [[api_keys]]
                    name = "a"
                    key = "k-0123456789abcdef"
                    """.formatted(taken.getLocalPort()));
            Run run = run(dir, "--config", config.toString());
            assertEquals(1, run.exitCode(), run.output());
            assertTrue(run.output().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), run.output());
        }
    }

    @Test
    void aBadConfigExitsNonZeroNamingEveryProblem(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("bad.toml");
        Files.writeString(config, """
                [server]
                port = 70000
                prot = 1

                [[api_keys]]
                name = "a"
                key = "k-0123456789abcdef"

                [providers.p]
                type = "openia"
                """);
        Run run = run(dir, "--config", config.toString(), "--check-config");
        assertEquals(2, run.exitCode(), run.output());
        assertTrue(run.output().contains("server.port"), run.output());
        assertTrue(run.output().contains("server.prot"), run.output());
        assertTrue(run.output().contains("providers.p.type"), run.output());
        assertFalse(run.output().contains("k-0123456789abcdef"), "secrets never printed");
    }

    @Test
    void aMissingFileIsAClearError(@TempDir Path dir) throws Exception {
        Run run = run(dir, "--config", "nope.toml", "--check-config");
        assertEquals(2, run.exitCode());
        assertTrue(run.output().contains("nope.toml"), run.output());
    }
}
