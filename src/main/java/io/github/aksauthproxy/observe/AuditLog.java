package io.github.aksauthproxy.observe;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The audit trail: one line per security-relevant event on the logger named {@value #LOGGER}, with its own
 * event names and fixed fields (README, "Audit events"). Field values are identities, reasons and request facts;
 * never a token, a cookie, a code or the session id.
 */
public final class AuditLog {
    public static final String LOGGER = "audit";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    public void loginSuccess(RequestFacts request, Actor who) {
        request(who(event("login.success"), who), request).log();
    }

    public void loginFailure(RequestFacts request, String reason) {
        request(event("login.failure").addKeyValue("reason", reason), request).log();
    }

    public void logout(RequestFacts request, Actor who) {
        request(who(event("logout"), who), request).log();
    }

    public void sessionExpired(RequestFacts request, Actor who, String reason) {
        request(who(event("session.expired"), who).addKeyValue("reason", reason), request).log();
    }

    /**
     * A session ended on request, for every replica, outside its own browser: by an operator's
     * {@code aks-auth-proxy sessions revoke}. Sign-out is {@code logout}, Entra's refusal {@code session.expired}.
     *
     * @param by who ended it, as the operator's command names them ({@code operator})
     */
    public void sessionRevoked(Actor who, String by, String reason) {
        who(event("session.revoked"), who).addKeyValue("by", by).addKeyValue("reason", reason).log();
    }

    /** @param who the user, or null when the request was refused before its session was read */
    public void accessDenied(RequestFacts request, Actor who, String profile, String reason) {
        LoggingEventBuilder b = event("access.denied");
        if (who != null) {
            who(b, who);
        }
        request(b.addKeyValue("profile", profile).addKeyValue("reason", reason), request).log();
    }

    /** A token minted by Entra for a user; not tied to one request (concurrent requests share one, renewals run alone). */
    public void tokenMinted(Actor who, String profile, Instant exp) {
        who(event("token.minted"), who).addKeyValue("profile", profile).addKeyValue("exp", exp.toString()).log();
    }

    /** @param who the user, or null for a limit on client addresses (sign-in starts) */
    public void rateLimitExceeded(RequestFacts request, Actor who, String limit, String profile, long retryAfterSeconds) {
        LoggingEventBuilder b = event("ratelimit.exceeded");
        if (who != null) {
            who(b, who);
        }
        b.addKeyValue("limit", limit);
        if (profile != null) {
            b.addKeyValue("profile", profile);
        }
        request(b.addKeyValue("retry_after_s", retryAfterSeconds), request).log();
    }

    private static LoggingEventBuilder event(String name) {
        return LOG.atInfo().addKeyValue("event", name);
    }

    /** A bearer caller has no session, so no {@code sid_hash}. */
    private static LoggingEventBuilder who(LoggingEventBuilder b, Actor who) {
        b = b.addKeyValue("user", who.user()).addKeyValue("tenant", who.tenant());
        return who.sidHash() == null ? b : b.addKeyValue("sid_hash", who.sidHash());
    }

    private static LoggingEventBuilder request(LoggingEventBuilder b, RequestFacts r) {
        return b.addKeyValue("client_ip", r.clientIp()).addKeyValue("user_agent", r.userAgent()).addKeyValue("request_id", r.requestId());
    }
}
