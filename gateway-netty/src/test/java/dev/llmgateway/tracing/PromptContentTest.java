package dev.llmgateway.tracing;

import dev.llmgateway.testutil.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The captured prompt a client span reports, from OpenAI's and Anthropic's requests. */
class PromptContentTest {
    private static PromptContent read(String json, int maxText) {
        ByteBuf body = Unpooled.directBuffer().writeBytes(json.getBytes(StandardCharsets.UTF_8));
        try {
            return PromptContent.read(body, maxText);
        } finally {
            body.release();
        }
    }

    @Test
    void openAiChatParametersAndMessages() {
        PromptContent p = read(Fixtures.text("openai/request-chat.json"), 1000);

        assertEquals("[{\"role\":\"system\",\"parts\":[{\"type\":\"text\","
                + "\"content\":\"You are a concise assistant.\"}]},"
                + "{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"What is the capital of France?\"}]}]",
                p.inputMessages());
        assertNull(p.systemInstructions());
    }

    @Test
    void anthropicSystemAndContentBlocks() {
        PromptContent p = read("""
                {"model":"claude","max_tokens":100,"top_p":0.5,"system":[{"type":"text","text":"Be brief."}],
                 "messages":[{"content":[{"type":"text","text":"Hi"},{"type":"image","source":{"data":"x"}},
                 {"type":"text","text":"there"}],"role":"user"}]}""", 1000);

        assertEquals("[{\"type\":\"text\",\"content\":\"Be brief.\"}]", p.systemInstructions());
        assertEquals("[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Hi\"},"
                + "{\"type\":\"text\",\"content\":\"there\"}]}]", p.inputMessages(), "a role after the content");
    }

    @Test
    void atMostTheCapInAll() {
        assertEquals("[{\"role\":\"system\",\"parts\":[{\"type\":\"text\",\"content\":\"You are a \"}]},"
                + "{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"\"}]}]",
                read(Fixtures.text("openai/request-chat.json"), 10).inputMessages());
    }

    @Test
    void aBodyThatIsNotJsonKeepsWhatCameBeforeTheBreak() {
        PromptContent p = read("{\"system\":\"Be brief.\",\"messages\":[{\"role\":", 1000);

        assertEquals("[{\"type\":\"text\",\"content\":\"Be brief.\"}]", p.systemInstructions());
        assertNull(p.inputMessages(), "no message was whole");
    }
}
