package io.github.aksauthproxy.redis;

/**
 * The scripts that change a session: each writes the record and the user's index together, atomically, on keys that
 * share the user's hash tag.
 */
final class SessionScripts {
    private SessionScripts() {
    }

    /** KEYS: record, index. ARGV: sealed record, TTL in ms, session name, sealed index entry. */
    static final LuaScript<Long> CREATE = LuaScript.integer("session-create", """
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
            if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
            return 1
            """);

    /**
     * Like {@link #CREATE}, but only while the record exists: a last-seen write racing a revocation must not bring the
     * session back. Returns 0 when the record is gone.
     */
    static final LuaScript<Long> TOUCH = LuaScript.integer("session-touch", """
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
            if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
            return 1
            """);

    /** KEYS: record, index, then the session's token keys. ARGV: session name. Returns 1 when the record existed. */
    static final LuaScript<Long> REVOKE = LuaScript.integer("session-revoke", """
            local existed = redis.call('DEL', KEYS[1])
            redis.call('HDEL', KEYS[2], ARGV[1])
            for i = 3, #KEYS do redis.call('DEL', KEYS[i]) end
            return existed
            """);
}
