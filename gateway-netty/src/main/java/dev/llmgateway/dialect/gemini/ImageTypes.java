package dev.llmgateway.dialect.gemini;

import java.util.Locale;

/** The image type Gemini wants with every {@code fileData}, when the client gave none. */
final class ImageTypes {
    static final String DEFAULT = "image/jpeg";

    private ImageTypes() {
    }

    /** Gemini wants a type with every file; from the URL path's extension, JPEG when it says nothing. */
    static String guess(String url) {
        int end = url.length();
        int query = url.indexOf('?');
        int fragment = url.indexOf('#');
        if (query >= 0) {
            end = query;
        }
        if (fragment >= 0 && fragment < end) {
            end = fragment;
        }
        int dot = url.lastIndexOf('.', end - 1);
        if (dot < 0 || dot < url.lastIndexOf('/', end - 1)) {
            return DEFAULT;
        }
        return switch (url.substring(dot + 1, end).toLowerCase(Locale.ROOT)) {
            case "png" -> "image/png";
            case "gif" -> "image/gif";
            case "webp" -> "image/webp";
            case "heic" -> "image/heic";
            case "heif" -> "image/heif";
            default -> DEFAULT;
        };
    }
}
