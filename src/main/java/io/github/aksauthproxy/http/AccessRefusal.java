package io.github.aksauthproxy.http;

import io.github.aksauthproxy.access.AccessDecision;
import io.github.aksauthproxy.config.Profile;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Answers a request whose access decision is not "allowed": 403 for a denial, 503 when the API server or Microsoft
 * Graph could not answer and the profile fails closed (with the decision's wait as Retry-After, else 5 s). This is the single place a refused access is recorded (the log line here;
 * the audit trail belongs beside it). The client gets a generic body; the reason goes to the log only.
 */
final class AccessRefusal {
    private static final Logger LOG = LoggerFactory.getLogger(AccessRefusal.class);

    private AccessRefusal() {
    }

    /**
     * @param user the user as logged elsewhere (preferred_username or oid)
     * @param sidHash the session's hash for a session, {@code null} for a bearer caller
     */
    static void answer(HttpServerResponse r, String user, String sidHash, Profile profile, AccessDecision decision) {
        if (decision.outcome() == AccessDecision.Outcome.UNAVAILABLE) {
            caller(LOG.atWarn().addKeyValue("event", "access.unavailable"), user, sidHash)
                    .addKeyValue("profile", profile.name()).addKeyValue("reason", decision.reason()).log();
            r.putHeader(HttpHeaders.RETRY_AFTER, Long.toString(decision.retryAfter()
                    .map(d -> Math.max(1, (d.toMillis() + 999) / 1000)).orElse(5L)));
            AuthSubrequestHandler.plain(r, 503, "access check temporarily unavailable");
            return;
        }
        caller(LOG.atInfo().addKeyValue("event", "access.denied"), user, sidHash)
                .addKeyValue("profile", profile.name()).addKeyValue("reason", decision.reason()).log();
        AuthSubrequestHandler.plain(r, 403, "forbidden");
    }

    private static LoggingEventBuilder caller(LoggingEventBuilder b, String user, String sidHash) {
        b = b.addKeyValue("user", user);
        return sidHash == null ? b.addKeyValue("via", "bearer") : b.addKeyValue("sid_hash", sidHash);
    }
}
