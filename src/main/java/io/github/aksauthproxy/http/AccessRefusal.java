package io.github.aksauthproxy.http;

import io.github.aksauthproxy.access.AccessDecision;
import io.github.aksauthproxy.config.Profile;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a request whose access decision is not "allowed": 403 for a denial, 503 when the API server could not
 * answer and the profile fails closed. This is the single place a refused access is recorded (the log line here;
 * the audit trail belongs beside it). The client gets a generic body; the reason goes to the log only.
 */
final class AccessRefusal {
    private static final Logger LOG = LoggerFactory.getLogger(AccessRefusal.class);

    private AccessRefusal() {
    }

    /**
     * @param user the user as logged elsewhere (preferred_username or oid)
     * @param ref {@code sid_hash=<hash>} for a session, {@code via=bearer} for a bearer caller
     */
    static void answer(HttpServerResponse r, String user, String ref, Profile profile, AccessDecision decision) {
        if (decision.outcome() == AccessDecision.Outcome.UNAVAILABLE) {
            LOG.warn("event=access.unavailable user=\"{}\" {} profile={} reason=\"{}\"", user, ref, profile.name(), decision.reason());
            r.putHeader(HttpHeaders.RETRY_AFTER, "5");
            AuthSubrequestHandler.plain(r, 503, "access check temporarily unavailable");
            return;
        }
        LOG.info("event=access.denied user=\"{}\" {} profile={} reason=\"{}\"", user, ref, profile.name(), decision.reason());
        AuthSubrequestHandler.plain(r, 403, "forbidden");
    }
}
