package io.github.aksauthproxy.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with a random 96-bit nonce, the one way this package encrypts: {@code nonce || ciphertext || tag}. The
 * associated data binds a value to where it belongs (a Redis key name), so a value copied to another key fails.
 */
final class Aead {
    private static final int NONCE = 12;
    private static final int TAG_BITS = 128;

    private Aead() {
    }

    static byte[] seal(byte[] key, byte[] plaintext, String associated, SecureRandom random) {
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(associated.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(plaintext);
            return ByteBuffer.allocate(NONCE + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** The plaintext, or empty when the value was not sealed with this key for this associated data. */
    static Optional<byte[]> open(byte[] key, byte[] sealed, String associated) {
        if (sealed.length < NONCE + TAG_BITS / 8) {
            return Optional.empty();
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE));
            c.updateAAD(associated.getBytes(StandardCharsets.UTF_8));
            return Optional.of(c.doFinal(sealed, NONCE, sealed.length - NONCE));
        } catch (javax.crypto.AEADBadTagException e) {
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** HMAC-SHA256, for deriving keys from keys and names from ids. */
    static byte[] hmac(byte[] key, String label, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(label.getBytes(StandardCharsets.UTF_8));
            for (byte[] p : parts) {
                mac.update((byte) 0);
                mac.update(p);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    static byte[] truncate(byte[] b, int length) {
        return Arrays.copyOf(b, length);
    }
}
