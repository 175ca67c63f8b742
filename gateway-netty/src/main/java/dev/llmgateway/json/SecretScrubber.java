package dev.llmgateway.json;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Masks known secrets in the bytes and text the gateway relays: every occurrence of a secret's exact value becomes
 * OpenAI's mask of it, its first six characters and last four ({@code sk-abc...wxyz}), so a provider that echoes
 * the key it was sent (OpenAI's 401 does, masked; some compatible servers echo it whole) never shows it to a
 * client. Each secret is found with a {@link BytePattern} of its whole value: the longer the needle, the fewer
 * places it can start, so a 50- to 160-byte key costs a short scan of a 250-byte event.
 *
 * <p>Values shorter than {@link #MIN_LENGTH} are not secrets but the placeholders local servers are given
 * ({@code EMPTY}, {@code none}): masking them would corrupt ordinary text. Immutable, so one instance (per provider
 * config) serves every thread.
 */
public final class SecretScrubber {
    /** The shortest value treated as a secret. */
    public static final int MIN_LENGTH = 8;
    /** Keys at least this long keep OpenAI's six leading and four trailing characters; shorter ones none. */
    private static final int REVEALING_LENGTH = 20;
    private static final SecretScrubber NONE = new SecretScrubber(List.of());

    private record Secret(String value, BytePattern pattern, String mask, ByteBuf maskBytes) {
    }

    /** Longest first, so a secret that contains another is masked whole. */
    private final Secret[] secrets;
    /** Text shorter than the shortest secret holds none: most header values are passed over on their length. */
    private final int shortest;

    private SecretScrubber(List<String> values) {
        secrets = values.stream()
                .sorted((a, b) -> Integer.compare(b.length(), a.length()))
                .map(value -> new Secret(value, new BytePattern(value), mask(value),
                        JsonSplice.literal(mask(value).getBytes(StandardCharsets.US_ASCII))))
                .toArray(Secret[]::new);
        shortest = secrets.length == 0 ? Integer.MAX_VALUE : secrets[secrets.length - 1].value.length();
    }

    /** The scrubber that masks nothing. */
    public static SecretScrubber none() {
        return NONE;
    }

    /** Masks each of {@code values} that is ASCII and at least {@link #MIN_LENGTH} long (keys are). */
    public static SecretScrubber of(Collection<String> values) {
        List<String> kept = new ArrayList<>(new LinkedHashSet<>(values));
        kept.removeIf(value -> value == null || value.length() < MIN_LENGTH
                || !StandardCharsets.US_ASCII.newEncoder().canEncode(value));
        return kept.isEmpty() ? NONE : new SecretScrubber(kept);
    }

    /** This scrubber's secrets and {@code more}. */
    public SecretScrubber with(Collection<String> more) {
        List<String> all = new ArrayList<>(more);
        for (Secret secret : secrets) {
            all.add(secret.value);
        }
        return of(all);
    }

    public boolean isEmpty() {
        return secrets.length == 0;
    }

    /** OpenAI's mask of a key: {@code sk-abc...wxyz}; a short key shows nothing. */
    static String mask(String value) {
        return value.length() < REVEALING_LENGTH ? "***"
                : value.substring(0, 6) + "..." + value.substring(value.length() - 4);
    }

    /** True when a secret occurs in {@code buf[from, to)}. */
    public boolean occursIn(ByteBuf buf, int from, int to) {
        for (Secret secret : secrets) {
            if (secret.pattern.lastIndexIn(buf, from, to) >= 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code buf}'s readable bytes with every secret masked: {@code buf} itself when none occurs, else a composite
     * of retained views around the masks. Consumes {@code buf}, as {@link JsonSplice#edit}.
     */
    public ByteBuf scrub(ByteBufAllocator alloc, ByteBuf buf) {
        return scrub(alloc, buf, null);
    }

    /**
     * As {@link #scrub(ByteBufAllocator, ByteBuf)}, applying {@code also} (may be null) in the same pass, unless a
     * secret overlaps it: the mask wins.
     */
    public ByteBuf scrub(ByteBufAllocator alloc, ByteBuf buf, JsonSplice.Edit also) {
        List<JsonSplice.Edit> edits = edits(buf, buf.readerIndex(), buf.writerIndex());
        if (edits == null) {
            return also == null ? buf : JsonSplice.edit(alloc, buf, also);
        }
        if (also != null) {
            insert(edits, also);
        }
        return JsonSplice.edit(alloc, buf, edits.toArray(JsonSplice.Edit[]::new));
    }

    /** {@code text} with every secret masked; the same instance when none occurs. */
    public String scrub(String text) {
        if (text == null || text.length() < shortest) {
            return text;
        }
        String result = text;
        for (Secret secret : secrets) {
            if (result.contains(secret.value)) {
                result = result.replace(secret.value, secret.mask);
            }
        }
        return result;
    }

    /**
     * Each secret's occurrences in {@code buf[from, to)} as masking edits, ascending and not overlapping; null when
     * there are none (the common case allocates nothing).
     */
    private List<JsonSplice.Edit> edits(ByteBuf buf, int from, int to) {
        List<JsonSplice.Edit> edits = null;
        for (Secret secret : secrets) {
            int end = to;
            for (int at; (at = secret.pattern.lastIndexIn(buf, from, end)) >= 0; end = at) {
                if (edits == null) {
                    edits = new ArrayList<>(2);
                }
                insert(edits, new JsonSplice.Edit(at, at + secret.pattern.length(), secret.maskBytes));
            }
        }
        return edits;
    }

    /** Inserts {@code edit} in start order unless it overlaps one already there (longer secrets come first). */
    private static void insert(List<JsonSplice.Edit> edits, JsonSplice.Edit edit) {
        int i = 0;
        while (i < edits.size() && edits.get(i).start() < edit.start()) {
            i++;
        }
        boolean overlapsBefore = i > 0 && edits.get(i - 1).end() > edit.start();
        boolean overlapsAfter = i < edits.size() && edits.get(i).start() < edit.end();
        if (!overlapsBefore && !overlapsAfter) {
            edits.add(i, edit);
        }
    }

    /** Leaves the secrets out. */
    @Override
    public String toString() {
        return "SecretScrubber[" + secrets.length + " secrets: " + Arrays.stream(secrets).map(Secret::mask).toList()
                + "]";
    }
}
