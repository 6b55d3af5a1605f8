package io.github.aksauthproxy.redis;

import java.security.SecureRandom;

/**
 * What the cookie holds in the redis store: a random session id, a random per-session key, and the hash tag of the
 * user's keys. Only the browser has the per-session key, so only a request with the cookie can open the session and
 * its tokens in Redis. {@link #toString()} shows none of it.
 *
 * @param userTag 12 bytes, the raw form of {@link RedisKeyring#userTag(String)}
 */
public record SessionTicket(byte[] sessionId, byte[] sessionKey, byte[] userTag) {
    static final int ID_BYTES = 16;
    static final int KEY_BYTES = 32;
    static final int TAG_BYTES = 12;

    public SessionTicket {
        if (sessionId.length != ID_BYTES || sessionKey.length != KEY_BYTES || userTag.length != TAG_BYTES) {
            throw new IllegalArgumentException("a ticket holds a 16-byte id, a 32-byte key and a 12-byte user tag");
        }
        sessionId = sessionId.clone();
        sessionKey = sessionKey.clone();
        userTag = userTag.clone();
    }

    static SessionTicket generate(SecureRandom random, byte[] userTag) {
        byte[] id = new byte[ID_BYTES];
        byte[] key = new byte[KEY_BYTES];
        random.nextBytes(id);
        random.nextBytes(key);
        return new SessionTicket(id, key, userTag);
    }

    @Override
    public byte[] sessionId() {
        return sessionId.clone();
    }

    @Override
    public byte[] sessionKey() {
        return sessionKey.clone();
    }

    @Override
    public byte[] userTag() {
        return userTag.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionTicket t && java.util.Arrays.equals(sessionId, t.sessionId)
                && java.util.Arrays.equals(sessionKey, t.sessionKey) && java.util.Arrays.equals(userTag, t.userTag);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(sessionId);
    }

    @Override
    public String toString() {
        return "SessionTicket[redacted]";
    }
}
