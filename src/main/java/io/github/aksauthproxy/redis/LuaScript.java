package io.github.aksauthproxy.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run atomically by Redis, sent once and then called by its SHA-1 ({@code EVALSHA}, falling back to
 * {@code EVAL} when the server does not know it yet, e.g. after a restart or failover). Every key a script touches is
 * passed in {@code KEYS} and all of them share one hash tag, so a script also runs on Redis Cluster.
 *
 * @param <T> what the script returns: {@code Long} for an integer reply, {@code List<Object>} for an array
 */
public final class LuaScript<T> {
    /** The reply type Redis gives back, for the client's decoder. */
    enum Reply { INTEGER, MULTI }

    private final String name;
    private final String source;
    private final String sha1;
    private final Reply reply;

    private LuaScript(String name, String source, Reply reply) {
        this.name = name;
        this.source = source;
        this.reply = reply;
        try {
            this.sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A script whose reply is an integer. */
    public static LuaScript<Long> integer(String name, String source) {
        return new LuaScript<>(name, source, Reply.INTEGER);
    }

    /** A script whose reply is an array (of integers and bulk strings as {@code byte[]}). */
    public static LuaScript<List<Object>> array(String name, String source) {
        return new LuaScript<>(name, source, Reply.MULTI);
    }

    public String name() {
        return name;
    }

    String source() {
        return source;
    }

    String sha1() {
        return sha1;
    }

    Reply reply() {
        return reply;
    }

    @Override
    public String toString() {
        return "LuaScript[" + name + "]";
    }
}
