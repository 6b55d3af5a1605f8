package io.github.aksauthproxy.redis;

import io.github.aksauthproxy.session.Session;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * The per-user index: a hash {@code aap:{<user tag>}:i} with one field per session name, whose value says who, since
 * when and last seen when, sealed with a key derived from the cookie keys. An operator's command with the service's
 * settings can read it (to list and revoke sessions); a copy of Redis alone cannot, and it holds no token.
 */
final class SessionIndex {
    private static final int KID_LENGTH = 12;
    private final RedisKeyring keys;
    private final SecureRandom random;

    SessionIndex(RedisKeyring keys, SecureRandom random) {
        this.keys = keys;
        this.random = random;
    }

    /** One session as an operator sees it: never a token. */
    record Entry(String sidHash, String user, String oid, String tenant, Instant createdAt, Instant lastSeen, Instant expiresAt,
                 String userTag, String name) {
    }

    byte[] seal(SessionRef ref, Session s) {
        JsonObject j = new JsonObject().put("user", s.user()).put("oid", s.oid()).put("tid", s.tid())
                .put("iat", s.createdAt().getEpochSecond()).put("seen", s.lastSeen().getEpochSecond()).put("exp", s.expiresAt().getEpochSecond());
        String kid = keys.currentId();
        byte[] sealed = Aead.seal(keys.indexKey(kid), j.encode().getBytes(StandardCharsets.UTF_8), associated(ref.indexKey(), ref.name()), random);
        return ByteBuffer.allocate(KID_LENGTH + sealed.length).put(kid.getBytes(StandardCharsets.US_ASCII)).put(sealed).array();
    }

    /** The entry, or empty when it was sealed with a key no longer listed, changed, or holds what no entry holds. */
    Optional<Entry> open(String userTag, String name, byte[] value) {
        if (value.length <= KID_LENGTH) {
            return Optional.empty();
        }
        byte[] key = keys.indexKey(new String(value, 0, KID_LENGTH, StandardCharsets.US_ASCII));
        if (key == null) {
            return Optional.empty();
        }
        return Aead.open(key, Arrays.copyOfRange(value, KID_LENGTH, value.length), associated(SessionRef.indexKey(userTag), name))
                .flatMap(plain -> {
                    try {
                        JsonObject j = new JsonObject(new String(plain, StandardCharsets.UTF_8));
                        return Optional.of(new Entry(Session.sidHash(name), j.getString("user"), j.getString("oid"), j.getString("tid"),
                                Instant.ofEpochSecond(j.getLong("iat")), Instant.ofEpochSecond(j.getLong("seen")),
                                Instant.ofEpochSecond(j.getLong("exp")), userTag, name));
                    } catch (DecodeException | ClassCastException | NullPointerException | DateTimeException e) {
                        return Optional.empty();
                    }
                });
    }

    private static String associated(String indexKey, String name) {
        return indexKey + "|" + name;
    }
}
