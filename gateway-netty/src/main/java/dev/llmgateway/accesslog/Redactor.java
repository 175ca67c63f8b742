package dev.llmgateway.accesslog;

import dev.llmgateway.json.SecretScrubber;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials from captured body text (the body capture's, and the prompt and completion text a trace
 * captures): first every configured secret's exact value (gateway keys, virtual keys' provider credentials,
 * provider keys), wherever it is written, then what looks like a credential whatever its value: a member named like
 * a secret, also inside JSON carried as an escaped string (a tool call's {@code arguments}), a header written in
 * text ({@code x-api-key: …}), a key in a URL's query, a Bearer token, and the key shapes of common providers. Works
 * on text rather than parsed JSON because a capture may be cut at its size cap mid-document, or be an SSE stream; a
 * cut secret value is redacted too. Immutable; runs on the capture's writer thread and the trace exporter's.
 */
public final class Redactor {
    static final String REDACTED = "<redacted>";
    private static final Redactor PATTERNS_ONLY = new Redactor(List.of(), List.of());

    /**
     * A JSON member whose name ends in a secret-ish word, with a string value (possibly cut off by the cap). The
     * quotes may be escaped ({@code \"}, or deeper): group 1 is the escape before each quote of the member, and the
     * value ends at a quote escaped exactly so — not at one escaped more deeply, which is inside the value.
     */
    private static final Pattern SECRET_MEMBER = Pattern.compile(
            "(\\\\*)\"([A-Za-z0-9_.\\-]*(?:api[_-]?key|key|authorization|password|passwd|secret|token))\\1\""
                    + "(\\s*:\\s*)\\1\"[\\s\\S]*?(?:(?<!\\\\)\\1\"|\\z)",
            Pattern.CASE_INSENSITIVE);
    /** A credential header written as text ({@code x-api-key: …}, {@code Authorization: Basic …}). */
    private static final Pattern HEADER_LIKE = Pattern.compile(
            "\\b((?:x-(?:goog-)?)?api[-_]?key|(?:proxy-)?authorization)(\\s*[:=]\\s*)(?:(?:bearer|basic)\\s+)?"
                    + "[^\\s\"',;\\\\<]+",
            Pattern.CASE_INSENSITIVE);
    /** A key in a URL's query ({@code ?key=…}, Gemini's way). */
    private static final Pattern QUERY_KEY = Pattern.compile("([?&](?:api[-_]?)?key=)[^&\\s\"'\\\\<#]+",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern BEARER = Pattern.compile("\\bBearer\\s+[A-Za-z0-9._~+/=\\-]+",
            Pattern.CASE_INSENSITIVE);
    /**
     * Key shapes wherever they appear: OpenAI/Anthropic ({@code sk-…}, {@code sk-ant-…}), Google ({@code AIza…}),
     * Groq ({@code gsk_…}), xAI ({@code xai-…}), Hugging Face ({@code hf_…}), Perplexity ({@code pplx-…}).
     */
    private static final Pattern KEY_LITERAL = Pattern.compile("\\b(?:sk-[A-Za-z0-9_\\-]{6,}"
            + "|AIza[0-9A-Za-z_\\-]{20,}|gsk_[A-Za-z0-9]{20,}|xai-[A-Za-z0-9]{20,}|hf_[A-Za-z0-9]{20,}"
            + "|pplx-[A-Za-z0-9]{20,})");
    /** Exact values are found by their first {@link SecretScrubber#MIN_LENGTH} characters, packed in a long. */
    private static final int WINDOW = SecretScrubber.MIN_LENGTH;

    /** The secrets of the latest config, without the previous config's that {@link #then} kept. */
    private final List<String> current;
    /** Longest first, so a secret that contains another is redacted whole. */
    private final String[] secrets;
    /** Open addressing: each secret's first window ({@link #pack}); a slot is free while its starting is null. */
    private final long[] windows;
    /** For each slot of {@link #windows}: the secrets (indexes into {@link #secrets}) that begin with it. */
    private final int[][] starting;

    private Redactor(Collection<String> values, List<String> current) {
        this.current = current;
        List<String> kept = new ArrayList<>(new LinkedHashSet<>(values));
        kept.removeIf(value -> value == null || value.length() < WINDOW);
        kept.sort((a, b) -> Integer.compare(b.length(), a.length()));
        secrets = kept.toArray(String[]::new);
        int slots = Integer.highestOneBit(Math.max(1, secrets.length) * 4 - 1) << 1;
        windows = new long[slots];
        starting = new int[slots][];
        for (int i = 0; i < secrets.length; i++) {
            long window = pack(secrets[i], 0);
            int slot = slot(window);
            if (starting[slot] == null) {
                windows[slot] = window;
                starting[slot] = new int[] {i};
            } else {
                int[] grown = Arrays.copyOf(starting[slot], starting[slot].length + 1);
                grown[grown.length - 1] = i;
                starting[slot] = grown;
            }
        }
    }

    /** Redacts the patterns only. */
    public static Redactor patternsOnly() {
        return PATTERNS_ONLY;
    }

    /**
     * Redacts each of {@code secrets} at least {@link SecretScrubber#MIN_LENGTH} characters long (shorter ones are
     * the placeholders local servers are given), and the patterns.
     */
    public static Redactor of(Collection<String> secrets) {
        List<String> current = List.copyOf(secrets);
        return new Redactor(current, current);
    }

    /**
     * Redacts {@code next} (a reloaded config's secrets) and those this redactor was given last, for the exchanges
     * still running on the config before.
     */
    public Redactor then(Collection<String> next) {
        List<String> latest = List.copyOf(next);
        List<String> both = new ArrayList<>(latest);
        both.addAll(current);
        return new Redactor(both, latest);
    }

    public String redact(String text) {
        String s = exactValues(text);
        s = replace(SECRET_MEMBER, s, m -> m.group(1) + '"' + m.group(2) + m.group(1) + '"' + m.group(3)
                + m.group(1) + '"' + REDACTED + m.group(1) + '"');
        s = replace(HEADER_LIKE, s, m -> m.group(1) + m.group(2) + REDACTED);
        s = replace(QUERY_KEY, s, m -> m.group(1) + REDACTED);
        s = BEARER.matcher(s).replaceAll("Bearer " + REDACTED);
        return KEY_LITERAL.matcher(s).replaceAll(REDACTED);
    }

    private static String replace(Pattern pattern, String text, Function<Matcher, String> with) {
        return pattern.matcher(text).replaceAll(m -> Matcher.quoteReplacement(with.apply((Matcher) m)));
    }

    /**
     * One pass over the text: at each position the window of the next characters is looked up among the secrets'
     * first windows, and only a hit is compared whole; a thousand gateway keys cost no more than one.
     */
    private String exactValues(String text) {
        if (secrets.length == 0 || text.length() < WINDOW) {
            return text;
        }
        StringBuilder out = null;
        int copied = 0;
        long window = pack(text, 0);
        for (int at = 0; at + WINDOW <= text.length(); ) {
            int[] candidates = starting[slot(window)];
            String found = candidates == null ? null : secretAt(text, at, candidates);
            if (found != null) {
                if (out == null) {
                    out = new StringBuilder(text.length());
                }
                out.append(text, copied, at).append(REDACTED);
                at += found.length();
                copied = at;
                if (at + WINDOW <= text.length()) {
                    window = pack(text, at);
                }
                continue;
            }
            if (at + WINDOW < text.length()) {
                window = window << 8 | (text.charAt(at + WINDOW) & 0xFF);
            }
            at++;
        }
        return out == null ? text : out.append(text, copied, text.length()).toString();
    }

    /** The longest of {@code candidates} that {@code text} holds at {@code at}, or null. */
    private String secretAt(String text, int at, int[] candidates) {
        for (int candidate : candidates) {
            if (text.startsWith(secrets[candidate], at)) {
                return secrets[candidate];
            }
        }
        return null;
    }

    /** The low bytes of {@code WINDOW} characters from {@code at}; a collision is settled by comparing whole. */
    private static long pack(String text, int at) {
        long window = 0;
        for (int i = 0; i < WINDOW; i++) {
            window = window << 8 | (text.charAt(at + i) & 0xFF);
        }
        return window;
    }

    private int slot(long window) {
        long mixed = window * 0x9E3779B97F4A7C15L;
        int mask = windows.length - 1;
        int slot = (int) (mixed >>> 40) & mask;
        while (starting[slot] != null && windows[slot] != window) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }
}
