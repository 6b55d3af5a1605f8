package io.github.aksauthproxy.session;

import io.vertx.core.http.Cookie;
import java.util.List;
import java.util.Map;

/**
 * Where sessions live. The cookie store keeps the whole session in the encrypted cookie; a server-side store
 * keeps it elsewhere and only an id in the cookie. Both answer the same contract.
 */
public interface SessionStore {

    /** The request's session, checked for lifetime and idle timeout, with any cookies that renew it. */
    Loaded load(Map<String, String> requestCookies);

    /** Cookies that store a new session and remove whatever session cookies the request carried. */
    List<Cookie> save(Session session, Map<String, String> requestCookies);

    /** Cookies that remove the request's session. */
    List<Cookie> clear(Map<String, String> requestCookies);

    /**
     * The outcome of {@link #load}: a session (maybe with renewal cookies) or a rejection.
     *
     * @param expired the session a request presented after its lifetime or idle timeout, so the audit trail can
     *                name whose session ended; null otherwise, and never usable for a request
     */
    record Loaded(Session session, SessionRejected rejected, List<Cookie> renewal, Session expired) {
        public Loaded(Session session, SessionRejected rejected, List<Cookie> renewal) {
            this(session, rejected, renewal, null);
        }

        public static Loaded rejected(SessionRejected why) {
            return new Loaded(null, why, List.of());
        }

        /** A session that was valid once but has outlived its lifetime or idle timeout. */
        public static Loaded expired(SessionRejected why, Session session) {
            return new Loaded(null, why, List.of(), session);
        }

        public boolean ok() {
            return session != null;
        }
    }
}
