package io.github.aksauthproxy.it;

import io.github.aksauthproxy.config.CookieKey;
import io.github.aksauthproxy.redis.RedisKeyring;
import io.github.aksauthproxy.redis.SessionRef;
import io.github.aksauthproxy.redis.SessionTicket;
import io.github.aksauthproxy.redis.TicketCodec;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/** Ticket cookies of the redis store made by a test: with a given cookie key, naming no session, or read back. */
final class Tickets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tickets() {
    }

    /** A well-formed ticket under {@code cookieKey} (base64, as in AKS_AUTH_PROXY_COOKIE_SECRETS) for a session nobody created. */
    static String unknownSession(String cookieKey) {
        return codec(cookieKey).encode(new SessionTicket(bytes(16), bytes(32), bytes(12)));
    }

    /** The Redis key of the session record a ticket names. */
    static String recordKey(String ticket, String cookieKey) {
        TicketCodec.Decoded d = codec(cookieKey).decode(ticket);
        return SessionRef.of(d.ticket()).recordKey();
    }

    private static TicketCodec codec(String cookieKey) {
        return new TicketCodec(new RedisKeyring(List.of(CookieKey.of(Base64.getDecoder().decode(cookieKey)))), RANDOM);
    }

    static String randomKey() {
        return Base64.getEncoder().encodeToString(bytes(32));
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
