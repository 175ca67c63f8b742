package dev.llmgateway.testutil;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The buffers one body can reach a reader in: a heap buffer, a direct one whose readable bytes start past others,
 * and a composite of two direct reads cut at every byte (a token split between reads).
 */
public final class BufferLayouts {
    /** A body in one buffer form; {@code buf} holds it from {@code index}, and is the caller's to release. */
    public record Layout(String name, ByteBuf buf, int index) {
    }

    private BufferLayouts() {
    }

    /** Hands {@code body} to {@code check} in every form, each released after it, also when a check fails. */
    public static void each(byte[] body, Consumer<Layout> check) {
        List<Layout> layouts = of(body);
        try {
            layouts.forEach(check);
        } finally {
            layouts.forEach(layout -> layout.buf().release());
        }
    }

    private static List<Layout> of(byte[] bytes) {
        List<Layout> layouts = new ArrayList<>();
        layouts.add(new Layout("heap", Unpooled.wrappedBuffer(bytes), 0));
        byte[] before = "junk{".getBytes(StandardCharsets.US_ASCII);
        ByteBuf direct = Unpooled.directBuffer(bytes.length + before.length).writeBytes(before).writeBytes(bytes);
        direct.readerIndex(before.length);
        layouts.add(new Layout("direct at " + before.length, direct, before.length));
        for (int cut = 1; cut < bytes.length; cut++) {
            CompositeByteBuf composite = Unpooled.compositeBuffer();
            composite.addComponent(true, Unpooled.directBuffer(cut).writeBytes(bytes, 0, cut));
            composite.addComponent(true, Unpooled.directBuffer(bytes.length - cut)
                    .writeBytes(bytes, cut, bytes.length - cut));
            layouts.add(new Layout("two reads cut at " + cut, composite, 0));
        }
        return layouts;
    }
}
