package dev.llmgateway.dialect;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Tool call ids across dialects. Gemini has none, so the gateway makes them; and a Gemini thought signature,
 * which must go back to Gemini with its call in the next turn, rides inside the id, the one field of a tool call
 * that every client echoes back unchanged ({@code <id>__ts_<signature>}).
 */
public final class ToolCallIds {
    private static final String SIGNATURE_MARK = "__ts_";
    private static final char[] ALPHANUMERIC =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private ToolCallIds() {
    }

    /** A new id in OpenAI's shape: {@code call_} and 24 alphanumerics (also valid for Anthropic). */
    public static String synthesize() {
        char[] id = new char[29];
        "call_".getChars(0, 5, id, 0);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 5; i < id.length; i++) {
            id[i] = ALPHANUMERIC[random.nextInt(ALPHANUMERIC.length)];
        }
        return new String(id);
    }

    /** The id a client is given for a call that carries {@code signature} (null: the id as it is). */
    public static String withSignature(String id, String signature) {
        return signature == null || signature.isEmpty() ? id : id + SIGNATURE_MARK + signature;
    }

    /** The signature a client's id carries, or null. */
    public static String signature(String carried) {
        int mark = carried.indexOf(SIGNATURE_MARK);
        return mark < 0 ? null : carried.substring(mark + SIGNATURE_MARK.length());
    }

    /** The id without a carried signature. */
    public static String id(String carried) {
        int mark = carried.indexOf(SIGNATURE_MARK);
        return mark < 0 ? carried : carried.substring(0, mark);
    }
}
