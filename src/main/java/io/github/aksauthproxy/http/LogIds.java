package io.github.aksauthproxy.http;

import io.github.aksauthproxy.observe.Actor;
import io.github.aksauthproxy.session.Session;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Identifiers that are safe to log: a session is named by a hash of its id, never by the id itself. */
final class LogIds {
    private LogIds() {
    }

    /** The session's user, as the audit trail names them. */
    static Actor actor(Session session) {
        return new Actor(session.user(), session.tid(), sidHash(session.id()));
    }

    static String sidHash(String sessionId) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sessionId.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
