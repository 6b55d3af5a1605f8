package io.github.aksauthproxy.redis;

import io.github.aksauthproxy.config.CookieKey;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keys derived from the cookie keys ({@code AKS_AUTH_PROXY_COOKIE_SECRETS}), one per purpose, so rotation works as
 * for cookies: the first key seals and names, every listed key opens and finds. Nothing here is stored in Redis, so a
 * copy of Redis alone can neither open a ticket or index entry nor tell whose index is whose.
 */
public final class RedisKeyring {
    private static final HexFormat HEX = HexFormat.of();
    private final String firstId;
    private final Map<String, Derived> byId = new LinkedHashMap<>();

    /** What one cookie key yields: a ticket key, an index key, and keys for naming users and rate-limit buckets. */
    private record Derived(byte[] ticket, byte[] index, byte[] userTag, byte[] rateLimit) {
    }

    public RedisKeyring(List<CookieKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one cookie key is required");
        }
        for (CookieKey k : keys) {
            byte[] b = k.bytes();
            byId.put(k.id(), new Derived(Aead.hmac(b, "aks-auth-proxy redis ticket v1"), Aead.hmac(b, "aks-auth-proxy redis index v1"),
                    Aead.hmac(b, "aks-auth-proxy redis user tag v1"), Aead.hmac(b, "aks-auth-proxy redis rate limit v1")));
        }
        this.firstId = keys.get(0).id();
    }

    String currentId() {
        return firstId;
    }

    byte[] ticketKey(String id) {
        return Optional.ofNullable(byId.get(id)).map(Derived::ticket).orElse(null);
    }

    byte[] indexKey(String id) {
        return Optional.ofNullable(byId.get(id)).map(Derived::index).orElse(null);
    }

    List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    /** The hash tag that groups one user's keys, under the current key: 12 bytes of HMAC of the object id, in hex. */
    String userTag(String oid) {
        return userTag(firstId, oid);
    }

    /** The user's tags under every listed key: sessions made before a rotation are still found. */
    List<String> userTags(String oid) {
        return byId.keySet().stream().map(id -> userTag(id, oid)).distinct().toList();
    }

    private String userTag(String id, String oid) {
        return HEX.formatHex(Aead.truncate(Aead.hmac(byId.get(id).userTag(), "user", oid.getBytes(StandardCharsets.UTF_8)), 12));
    }

    /** A rate-limit bucket's name: who it limits is not readable from Redis. */
    String bucketName(String limit, String subject) {
        return HEX.formatHex(Aead.truncate(Aead.hmac(byId.get(firstId).rateLimit(), limit, subject.getBytes(StandardCharsets.UTF_8)), 16));
    }
}
