package dev.llmgateway.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's "Every key at once" example stays a valid config that enables everything it declares. */
class ReadmeConfigExampleTest {
    private static final String HEADING = "### Every key at once";

    @Test
    void theCompleteExampleIsValid() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("user.dir")).resolve("../README.md"));
        int heading = readme.indexOf(HEADING);
        assertTrue(heading >= 0, "README has the section " + HEADING);
        int start = readme.indexOf("```toml\n", heading) + "```toml\n".length();
        String toml = readme.substring(start, readme.indexOf("```", start));
        Map<String, String> env = Map.of("GATEWAY_KEY_TEAM_A", "k-team-a-0123456789", "TEAM_A_OPENAI_KEY", "sk-team-a",
                "OPENAI_API_KEY", "sk-1", "OPENAI_API_KEY_2", "sk-2", "VLLM_API_KEY", "v-1",
                "ANTHROPIC_API_KEY", "sk-ant-1", "GEMINI_API_KEY", "g-1", "OTLP_TOKEN", "t-1");
        GatewayConfig config = ConfigLoader.parse(toml, "README.md", env);
        assertEquals(List.of(), config.warnings());
        assertEquals(List.of("openai", "anthropic", "gemini", "vllm1", "vllm2", "mock"),
                List.copyOf(config.providers().keySet()));
        assertEquals(List.of("gpt-4o", "claude-sonnet", "gemini-flash", "llama", "demo"),
                List.copyOf(config.models().keySet()));
    }
}
