package io.github.aksauthproxy.session;

import io.github.aksauthproxy.entra.StepUp;
import io.vertx.core.http.Cookie;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where sessions live. The cookie store keeps the whole session in the encrypted cookie; a server-side store keeps
 * it elsewhere and only a ticket in the cookie. Both answer the same contract, chosen once at start-up.
 *
 * <p>Stages may complete on another thread than the caller's (a Redis client's); a continuation must not block. A
 * stage fails only with {@link SessionStoreUnavailable}, never for a bad or missing session: those are
 * {@link Loaded#rejected()} values. The cookie store's stages are always complete when returned.
 */
public interface SessionStore {

    /** The request's session, checked for lifetime and idle timeout, with any cookies that renew it. */
    CompletionStage<Loaded> load(Map<String, String> requestCookies);

    /** Stores a new session: the session as stored, and the cookies that name it and remove whatever session cookies the request carried. */
    CompletionStage<Saved> save(Session session, Map<String, String> requestCookies);

    /** Cookies that remove the request's session from the browser; the session itself is left alone (see {@link #end}). No I/O. */
    List<Cookie> clear(Map<String, String> requestCookies);

    /**
     * Ends a loaded session for every replica (sign-out, Entra refusing its refresh token): a server-side store deletes
     * it, so the same cookie, or any copy of it, gets 401 everywhere. The cookie store has nothing to delete: its
     * cookie stays valid until its idle timeout wherever a copy of it survived the browser's deletion.
     */
    CompletionStage<Void> end(Session session);

    /**
     * The id of the session the request's cookie names, whether or not that session is still usable, read without I/O:
     * for remembering something about a session that may have ended (a pending step-up), never for authentication.
     */
    Optional<String> presentedId(Map<String, String> requestCookies);

    /**
     * Remembers for every replica the step-up that the next sign-in of this session's browser must carry (Entra
     * ended the session wanting the user), for a while after the session itself is gone. The cookie store keeps
     * nothing outside the browser: there the replica that saw the refusal remembers it alone ({@code TokenService}).
     */
    default CompletionStage<Void> rememberStepUp(Session session, StepUp stepUp) {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /** The step-up any replica remembered for the session the request's cookie names; fails only when the store cannot answer. */
    default CompletionStage<Optional<StepUp>> pendingStepUp(Map<String, String> requestCookies) {
        return java.util.concurrent.CompletableFuture.completedFuture(Optional.empty());
    }

    /**
     * The outcome of {@link #save}.
     *
     * @param session the session as the store keeps it: a server-side store gives it an id of its own
     */
    record Saved(Session session, List<Cookie> cookies) {
    }

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
