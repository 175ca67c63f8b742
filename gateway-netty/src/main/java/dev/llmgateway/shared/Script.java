package dev.llmgateway.shared;

import io.lettuce.core.ScriptOutputType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One of the gateway's Lua scripts (the resources beside this class: {@code common.lua} followed by the script's
 * own file) and its SHA-1, by which Redis runs it ({@code EVALSHA}) once it is loaded. Each checks or changes a
 * key's counters or USD budgets in one atomic step on Redis' own clock.
 */
enum Script {
    ADMIT("admit.lua", ScriptOutputType.INTEGER),
    FINISH("finish.lua", ScriptOutputType.INTEGER),
    REFRESH("refresh.lua", ScriptOutputType.INTEGER),
    REST("rest.lua", ScriptOutputType.INTEGER),
    RESTS("rests.lua", ScriptOutputType.MULTI),
    USD_RESERVE("usd_reserve.lua", ScriptOutputType.MULTI),
    USD_SETTLE("usd_settle.lua", ScriptOutputType.INTEGER);

    /** The scripts a connection loads before it carries requests. */
    static final List<Script> ALL = List.of(values());

    private final String body;
    private final String sha;
    private final ScriptOutputType output;

    Script(String file, ScriptOutputType output) {
        this.body = resource("common.lua") + resource(file);
        this.sha = sha1(body);
        this.output = output;
    }

    String body() {
        return body;
    }

    String sha() {
        return sha;
    }

    ScriptOutputType output() {
        return output;
    }

    private static String resource(String name) {
        try (InputStream in = Script.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " beside " + Script.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
