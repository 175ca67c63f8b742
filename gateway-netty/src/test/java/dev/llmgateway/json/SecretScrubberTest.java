package dev.llmgateway.json;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.List;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretScrubberTest {
    private static final String OPENAI = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
    private static final String GROQ = "gsk_Q2w3E4r5T6y7U8i9O0p1A2s3D4f5";
    private static final String SHORT = "local-pw-12";

    private final SecretScrubber scrubber = SecretScrubber.of(
            List.of(OPENAI, GROQ, SHORT, "EMPTY", "ünïcode-key-1234"));

    private String scrub(ByteBuf buf) {
        ByteBuf out = scrubber.scrub(PooledByteBufAllocator.DEFAULT, buf);
        try {
            return out.toString(UTF_8);
        } finally {
            out.release();
        }
    }

    @Test
    void masksEachKeyAsOpenAiDoesAndAShortOneWhole() {
        String text = "Incorrect API key provided: " + OPENAI + "; also " + GROQ + ", " + SHORT + " and " + OPENAI
                + " again, but EMPTY and ünïcode-key-1234 are no secrets";
        String expected = "Incorrect API key provided: sk-pro...6789; also gsk_Q2...D4f5, *** and sk-pro...6789"
                + " again, but EMPTY and ünïcode-key-1234 are no secrets";
        assertEquals(expected, scrubber.scrub(text));
        assertEquals(expected, scrub(PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(text.getBytes(UTF_8))));
    }

    @Test
    void aKeyCutAcrossTheComponentsOfAGatheredBodyIsFound() {
        String text = "{\"error\":\"bad key " + OPENAI + "\"}";
        for (int cut = 1; cut < text.length(); cut++) {
            CompositeByteBuf body = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer();
            body.addComponent(true, PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(text.substring(0, cut)
                    .getBytes(UTF_8)));
            body.addComponent(true, PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(text.substring(cut)
                    .getBytes(UTF_8)));
            assertTrue(scrubber.occursIn(body, body.readerIndex(), body.writerIndex()), "cut at " + cut);
            assertEquals("{\"error\":\"bad key sk-pro...6789\"}", scrub(body), "cut at " + cut);
        }
    }

    @Test
    void aBufferWithoutKeysComesBackAsItIsAndAStringTheSameInstance() {
        ByteBuf clean = Unpooled.copiedBuffer("{\"choices\":[]}", UTF_8);
        ByteBuf out = scrubber.scrub(PooledByteBufAllocator.DEFAULT, clean);
        assertSame(clean, out);
        assertFalse(scrubber.occursIn(clean, 0, clean.writerIndex()));
        out.release();
        String text = "nothing to see here";
        assertSame(text, scrubber.scrub(text));
    }

    @Test
    void anotherEditIsAppliedInTheSamePassUnlessAKeyOverlapsIt() {
        ByteBuf replacement = JsonSplice.quoted("fast");
        String text = "{\"model\":\"up\",\"key\":\"" + GROQ + "\"}";
        int model = text.indexOf("\"up\"");
        ByteBuf out = scrubber.scrub(PooledByteBufAllocator.DEFAULT, Unpooled.copiedBuffer(text, UTF_8),
                new JsonSplice.Edit(model, model + 4, replacement));
        assertEquals("{\"model\":\"fast\",\"key\":\"gsk_Q2...D4f5\"}", out.toString(UTF_8));
        out.release();

        int key = text.indexOf(GROQ);
        out = scrubber.scrub(PooledByteBufAllocator.DEFAULT, Unpooled.copiedBuffer(text, UTF_8),
                new JsonSplice.Edit(key + 2, key + 6, replacement));
        assertEquals("{\"model\":\"up\",\"key\":\"gsk_Q2...D4f5\"}", out.toString(UTF_8));
        out.release();
    }

    @Test
    void aKeyInsideALongerKeyIsMaskedWithIt() {
        SecretScrubber nested = SecretScrubber.of(List.of("abcdefgh", "xx-abcdefgh-yyyyyyyyyyyy"));
        assertEquals("xx-abc...yyyy and ***", nested.scrub("xx-abcdefgh-yyyyyyyyyyyy and abcdefgh"));
        ByteBuf out = nested.scrub(PooledByteBufAllocator.DEFAULT,
                Unpooled.copiedBuffer("xx-abcdefgh-yyyyyyyyyyyy and abcdefgh", UTF_8));
        assertEquals("xx-abc...yyyy and ***", out.toString(UTF_8));
        out.release();
    }

    @Test
    void noKeysNoScrubbing() {
        assertTrue(SecretScrubber.of(List.of()).isEmpty());
        assertTrue(SecretScrubber.of(List.of("EMPTY", "none")).isEmpty());
        assertFalse(scrubber.toString().contains(OPENAI));
    }
}
