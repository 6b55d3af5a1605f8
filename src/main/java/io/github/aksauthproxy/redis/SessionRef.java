package io.github.aksauthproxy.redis;

import io.github.aksauthproxy.session.StoreRef;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Where one session's data lives in Redis and the key that seals it, both derived from its ticket. Every key of a user
 * shares the hash tag {@code {<user tag>}}, so one script can touch a session, its tokens and the user's index on
 * Redis Cluster too:
 * <ul>
 * <li>{@code aap:{U}:s:<name>} the session record, sealed with the session's key;
 * <li>{@code aap:{U}:t:<name>:<profile>} an access token, sealed with the session's key;
 * <li>{@code aap:{U}:l:<name>:<profile>} the lock of a token being minted;
 * <li>{@code aap:{U}:u:<name>} the step-up the next sign-in must carry after Entra ended the session, sealed with the session's key;
 * <li>{@code aap:{U}:i} the user's index: one field per session name, sealed with a key derived from the cookie keys.
 * </ul>
 * The name is an HMAC of the session id under the session's own key: Redis shows no id, and the id alone (from a log's
 * {@code sid_hash}, say) gives no name. The name is also the {@link io.github.aksauthproxy.session.Session#id()} of a
 * session in this store, so in-process caches keyed by session id can be cleared from a revocation message.
 *
 * @param userTag hex of the ticket's user tag
 * @param name hex, 32 characters
 */
public record SessionRef(String userTag, String name, byte[] sealingKey) implements StoreRef {
    private static final HexFormat HEX = HexFormat.of();

    public static SessionRef of(SessionTicket ticket) {
        byte[] key = ticket.sessionKey();
        String name = HEX.formatHex(Aead.truncate(Aead.hmac(key, "aks-auth-proxy session name v1", ticket.sessionId()), 16));
        return new SessionRef(HEX.formatHex(ticket.userTag()), name, Aead.hmac(key, "aks-auth-proxy session record v1"));
    }

    public String recordKey() {
        return "aap:{" + userTag + "}:s:" + name;
    }

    public String indexKey() {
        return indexKey(userTag);
    }

    static String indexKey(String userTag) {
        return "aap:{" + userTag + "}:i";
    }

    public String tokenKey(String profile) {
        return tokenKey(userTag, name, profile);
    }

    static String tokenKey(String userTag, String name, String profile) {
        return "aap:{" + userTag + "}:t:" + name + ":" + profile;
    }

    public String stepUpKey() {
        return "aap:{" + userTag + "}:u:" + name;
    }

    public String lockKey(String profile) {
        return "aap:{" + userTag + "}:l:" + name + ":" + profile;
    }

    /** Seals a value stored under {@code redisKey} with the session's key; the key name is the associated data. */
    byte[] seal(String redisKey, String plaintext, SecureRandom random) {
        return Aead.seal(sealingKey, plaintext.getBytes(StandardCharsets.UTF_8), redisKey, random);
    }

    /** The plaintext, or empty when the value was changed or belongs under another key or session. */
    Optional<String> open(String redisKey, byte[] sealed) {
        return Aead.open(sealingKey, sealed, redisKey).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionRef r && r.userTag.equals(userTag) && r.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return "SessionRef[" + recordKey() + "]";
    }
}
