package io.github.aksauthproxy.session;

import com.nimbusds.jose.CompressionAlgorithm;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import io.github.aksauthproxy.config.CookieKey;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts and decrypts cookie payloads as compact JWE ({@code dir} + {@code A256GCM}, DEFLATE): the first
 * key encrypts, every configured key decrypts, found by the key id in the header. Each payload names its
 * kind, so a value cut from one cookie cannot be replayed as another kind of cookie.
 */
public final class CookieCodec {
    private static final String KIND = "k";
    private final JWEHeader header;
    private final DirectEncrypter encrypter;
    private final Map<String, DirectDecrypter> decrypters = new LinkedHashMap<>();

    public CookieCodec(List<CookieKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one cookie key is required");
        }
        try {
            CookieKey first = keys.get(0);
            this.header = new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM)
                    .keyID(first.id()).compressionAlgorithm(CompressionAlgorithm.DEF).build();
            this.encrypter = new DirectEncrypter(new SecretKeySpec(first.bytes(), "AES"));
            for (CookieKey key : keys) {
                decrypters.put(key.id(), new DirectDecrypter(new SecretKeySpec(key.bytes(), "AES")));
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable cookie key", e);
        }
    }

    public String encrypt(String kind, JsonObject payload) {
        JsonObject body = payload.copy().put(KIND, kind);
        JWEObject jwe = new JWEObject(header, new Payload(body.encode()));
        try {
            jwe.encrypt(encrypter);
        } catch (JOSEException e) {
            throw new IllegalStateException("cookie encryption failed", e);
        }
        return jwe.serialize();
    }

    /** The payload, or the reason the value is not one of ours. */
    public Decoded decrypt(String kind, String value) {
        JWEObject jwe;
        try {
            jwe = JWEObject.parse(value);
        } catch (ParseException | RuntimeException e) {
            // nimbus throws unchecked exceptions for some malformed headers (e.g. "alg":"none"): still just bad input.
            return Decoded.rejected(SessionRejected.MALFORMED);
        }
        JWEHeader h = jwe.getHeader();
        if (!JWEAlgorithm.DIR.equals(h.getAlgorithm()) || !EncryptionMethod.A256GCM.equals(h.getEncryptionMethod())) {
            return Decoded.rejected(SessionRejected.MALFORMED);
        }
        DirectDecrypter decrypter = h.getKeyID() == null ? null : decrypters.get(h.getKeyID());
        if (decrypter == null) {
            return Decoded.rejected(SessionRejected.UNKNOWN_KEY);
        }
        try {
            jwe.decrypt(decrypter);
        } catch (JOSEException | RuntimeException e) {
            return Decoded.rejected(SessionRejected.DECRYPTION_FAILED);
        }
        JsonObject body;
        try {
            body = new JsonObject(jwe.getPayload().toString());
        } catch (DecodeException | ClassCastException e) {
            return Decoded.rejected(SessionRejected.MALFORMED);
        }
        if (!kind.equals(body.getString(KIND))) {
            return Decoded.rejected(SessionRejected.WRONG_KIND);
        }
        return new Decoded(body, null);
    }

    /** A decrypted payload or a rejection; exactly one is set. */
    public record Decoded(JsonObject payload, SessionRejected rejected) {
        static Decoded rejected(SessionRejected why) {
            return new Decoded(null, why);
        }

        public boolean ok() {
            return payload != null;
        }
    }
}
