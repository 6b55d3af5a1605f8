package io.github.aksauthproxy.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One 32-byte cookie encryption key. Its id is derived from the key itself, so every replica and every
 * restart agrees on it and rotation needs no extra configuration.
 */
public final class CookieKey {
    private final String id;
    private final byte[] key;

    CookieKey(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("a cookie key must be 32 bytes");
        }
        this.key = key.clone();
        this.id = keyId(key);
    }

    public static CookieKey of(byte[] key) {
        return new CookieKey(key);
    }

    public String id() {
        return id;
    }

    public byte[] bytes() {
        return key.clone();
    }

    private static String keyId(byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("aks-auth-proxy cookie key id".getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha.digest(key), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "CookieKey[id=" + id + "]";
    }
}
