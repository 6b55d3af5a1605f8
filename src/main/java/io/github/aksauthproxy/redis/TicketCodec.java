package io.github.aksauthproxy.redis;

import io.github.aksauthproxy.session.SessionRejected;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * The ticket cookie's value: {@code t1.<key id>.<base64url(AES-256-GCM(ticket))>}, about 135 bytes. Sealed with a key
 * derived from the first cookie key and opened with whichever listed key its id names, so cookie key rotation works
 * as for the cookie store. (The cookie store's JWE would be over 200 bytes for the same 60 bytes: its JSON header and
 * payload alone take 150.) A cookie store value (five dot-separated parts) is never mistaken for a ticket, nor a ticket
 * for it, so switching stores makes users sign in again cleanly.
 */
public final class TicketCodec {
    private static final String VERSION = "t1";
    /** Nonce, the ticket's 60 bytes, tag. */
    private static final int SEALED_LENGTH = 12 + SessionTicket.ID_BYTES + SessionTicket.KEY_BYTES + SessionTicket.TAG_BYTES + 16;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder UNB64 = Base64.getUrlDecoder();
    private final RedisKeyring keys;
    private final SecureRandom random;

    public TicketCodec(RedisKeyring keys, SecureRandom random) {
        this.keys = keys;
        this.random = random;
    }

    public String encode(SessionTicket t) {
        String kid = keys.currentId();
        byte[] plain = ByteBuffer.allocate(SessionTicket.ID_BYTES + SessionTicket.KEY_BYTES + SessionTicket.TAG_BYTES)
                .put(t.sessionId()).put(t.sessionKey()).put(t.userTag()).array();
        return VERSION + "." + kid + "." + B64.encodeToString(Aead.seal(keys.ticketKey(kid), plain, associated(kid), random));
    }

    /** The ticket, or why the value is not one of ours. */
    public Decoded decode(String value) {
        String[] parts = value.split("\\.", -1);
        if (parts.length != 3 || !VERSION.equals(parts[0])) {
            return new Decoded(null, SessionRejected.MALFORMED);
        }
        byte[] key = keys.ticketKey(parts[1]);
        if (key == null) {
            return new Decoded(null, SessionRejected.UNKNOWN_KEY);
        }
        byte[] sealed;
        try {
            sealed = UNB64.decode(parts[2]);
        } catch (IllegalArgumentException e) {
            return new Decoded(null, SessionRejected.MALFORMED);
        }
        if (sealed.length != SEALED_LENGTH) {
            return new Decoded(null, SessionRejected.MALFORMED);
        }
        Optional<byte[]> plain = Aead.open(key, sealed, associated(parts[1]));
        if (plain.isEmpty()) {
            return new Decoded(null, SessionRejected.DECRYPTION_FAILED);
        }
        byte[] p = plain.get();
        int k = SessionTicket.ID_BYTES;
        int tag = k + SessionTicket.KEY_BYTES;
        return new Decoded(new SessionTicket(Arrays.copyOfRange(p, 0, k), Arrays.copyOfRange(p, k, tag), Arrays.copyOfRange(p, tag, p.length)), null);
    }

    /**
     * The same ticket sealed with the current key, when {@code value} is a good ticket sealed with another listed key
     * (the keys were rotated since it was made); empty otherwise. The ticket's content (session id, session key, user
     * tag) is unchanged, so it names the same record: only the key that seals it moves on, and the old key can be
     * dropped once the users still active have been seen.
     */
    public Optional<String> resealed(String value) {
        String current = keys.currentId();
        int kid = VERSION.length() + 1;
        if (value.length() > kid + current.length() && value.regionMatches(kid, current, 0, current.length())
                && value.charAt(kid + current.length()) == '.') {
            return Optional.empty();
        }
        Decoded d = decode(value);
        return d.ok() ? Optional.of(encode(d.ticket())) : Optional.empty();
    }

    private static String associated(String kid) {
        return "aks-auth-proxy session ticket|" + kid;
    }

    /** A ticket or a rejection; exactly one is set. */
    public record Decoded(SessionTicket ticket, SessionRejected rejected) {
        public boolean ok() {
            return ticket != null;
        }
    }
}
