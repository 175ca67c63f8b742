package dev.llmgateway.upstream;

import java.io.IOException;

/**
 * The provider's response cannot be read as HTTP: its status line, headers or body framing are broken (the decoder
 * marked it failed), or its status or transfer coding is not one the gateway can take. The connection it came on is
 * closed.
 */
public final class MalformedResponseException extends IOException {
    /** Enough of the decoder's reason to say what broke, never a whole line of the provider's bytes. */
    private static final int MAX_REASON_CHARS = 120;

    /** What the decoder failed on. */
    MalformedResponseException(Throwable decoderFailure) {
        super("malformed response: " + printable(decoderFailure.getClass().getSimpleName()
                + (decoderFailure.getMessage() == null ? "" : ": " + decoderFailure.getMessage())), decoderFailure);
    }

    MalformedResponseException(String reason) {
        super("malformed response: " + reason);
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_REASON_CHARS + 3));
        for (int i = 0; i < text.length() && out.length() < MAX_REASON_CHARS; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return text.length() > MAX_REASON_CHARS ? out.append("...").toString() : out.toString();
    }
}
