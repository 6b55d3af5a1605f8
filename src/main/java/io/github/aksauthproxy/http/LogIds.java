package io.github.aksauthproxy.http;

import io.github.aksauthproxy.observe.Actor;
import io.github.aksauthproxy.session.Session;

/** Identifiers that are safe to log: a session is named by a hash of its id, never by the id itself. */
final class LogIds {
    private LogIds() {
    }

    /** The session's user, as the audit trail names them. */
    static Actor actor(Session session) {
        return new Actor(session.user(), session.tid(), sidHash(session.id()));
    }

    static String sidHash(String sessionId) {
        return Session.sidHash(sessionId);
    }
}
