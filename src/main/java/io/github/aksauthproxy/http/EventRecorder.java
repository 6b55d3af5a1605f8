package io.github.aksauthproxy.http;

import io.github.aksauthproxy.config.Profile;
import io.github.aksauthproxy.entra.AccessToken;
import io.github.aksauthproxy.entra.IdpFailure;
import io.github.aksauthproxy.observe.Actor;
import io.github.aksauthproxy.observe.AuditLog;
import io.github.aksauthproxy.observe.RequestFacts;
import io.github.aksauthproxy.observe.ServiceMetrics;
import io.github.aksauthproxy.observe.ServiceMetrics.AuthOutcome;
import io.github.aksauthproxy.observe.ServiceMetrics.Limit;
import io.github.aksauthproxy.observe.ServiceMetrics.SessionEnd;
import io.github.aksauthproxy.observe.ServiceMetrics.TokenOutcome;
import io.github.aksauthproxy.session.Session;
import io.github.aksauthproxy.session.SessionRejected;
import io.github.aksauthproxy.session.SessionStore;
import io.github.aksauthproxy.token.TokenService;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Where the handlers report each outcome: one call per outcome updates the metrics and, for security-relevant
 * ones, writes the audit event. Handlers stay free of metric names and audit fields. The allowed path only
 * increments a pre-registered counter.
 */
final class EventRecorder implements TokenService.Observer {
    private final ServiceMetrics metrics;
    private final AuditLog audit;
    private final TrustedProxies proxies;

    EventRecorder(ServiceMetrics metrics, AuditLog audit, TrustedProxies proxies) {
        this.metrics = metrics;
        this.audit = audit;
        this.proxies = proxies;
    }

    /** The audit trail's facts about a request: trusted client address, User-Agent, the ingress's request id. */
    RequestFacts facts(HttpServerRequest request) {
        return RequestFacts.of(proxies.clientIp(request), request.getHeader("User-Agent"), request.getHeader("X-Request-ID"));
    }

    // /oauth2/auth

    void allowed(Profile profile) {
        metrics.authDecision(AuthOutcome.ALLOWED, profile.name());
    }

    /** No usable session; a session that outlived its lifetime or idle timeout is audited as ended. */
    void unauthenticated(RoutingContext ctx, Profile profile, SessionStore.Loaded loaded) {
        metrics.authDecision(AuthOutcome.UNAUTHENTICATED, profile.name());
        if (loaded.expired() != null) {
            boolean idle = loaded.rejected() == SessionRejected.IDLE_EXPIRED;
            metrics.sessionEnded(idle ? SessionEnd.IDLE_EXPIRED : SessionEnd.EXPIRED);
            audit.sessionExpired(facts(ctx.request()), LogIds.actor(loaded.expired()), idle ? "idle_timeout" : "lifetime");
        }
    }

    /** The request names a profile that is not configured. */
    void unknownProfile(RoutingContext ctx, String named) {
        metrics.authDecision(AuthOutcome.ERROR, ServiceMetrics.UNKNOWN_PROFILE);
        audit.accessDenied(facts(ctx.request()), null, AuthSubrequestHandler.printable(named), "unknown_profile");
    }

    /** The session's user may not use this profile (403); {@code reason} is a fixed word, not free text. */
    void forbidden(RoutingContext ctx, Session session, Profile profile, String reason) {
        metrics.authDecision(AuthOutcome.FORBIDDEN, profile.name());
        audit.accessDenied(facts(ctx.request()), LogIds.actor(session), profile.name(), reason);
    }

    /** @param who the session's user, or a bearer caller (no session hash) */
    void rateLimited(RoutingContext ctx, Actor who, Profile profile, long retryAfterSeconds) {
        metrics.authDecision(AuthOutcome.RATE_LIMITED, profile.name());
        metrics.rateLimited(Limit.AUTH, who.user());
        audit.rateLimitExceeded(facts(ctx.request()), who, "auth", profile.name(), retryAfterSeconds);
    }

    /** Entra rejected the session's refresh token: the session is over. */
    void sessionRevoked(RoutingContext ctx, Session session, Profile profile) {
        metrics.authDecision(AuthOutcome.UNAUTHENTICATED, profile.name());
        metrics.sessionEnded(SessionEnd.REVOKED);
        audit.sessionExpired(facts(ctx.request()), LogIds.actor(session), "revoked");
    }

    /** A later request of a session Entra already ended (counted; the end was audited once). */
    void endedSessionSeen(Profile profile) {
        metrics.authDecision(AuthOutcome.UNAUTHENTICATED, profile.name());
    }

    /** No token could be had now (503). */
    void tokenUnavailable(Profile profile) {
        metrics.authDecision(AuthOutcome.ERROR, profile.name());
    }

    // sign-in and sign-out

    void signInLimited(RoutingContext ctx, long retryAfterSeconds) {
        RequestFacts facts = facts(ctx.request());
        metrics.rateLimited(Limit.SIGN_IN, facts.clientIp());
        audit.rateLimitExceeded(facts, null, "sign_in", null, retryAfterSeconds);
    }

    void loginSuccess(RoutingContext ctx, Session session) {
        metrics.sessionCreated();
        audit.loginSuccess(facts(ctx.request()), LogIds.actor(session));
    }

    /** @param reason a sentence safe to log (never a code, a state or a token) */
    void loginFailure(RoutingContext ctx, String reason) {
        audit.loginFailure(facts(ctx.request()), reason);
    }

    /** Entra answered the sign-in with an error, either on the callback URL (untrusted) or at code redemption. */
    void idpError(String operation, String error, Optional<String> aadsts, boolean fromEntra) {
        metrics.idpError(operation, error, aadsts, fromEntra);
    }

    void logout(RoutingContext ctx, Session session) {
        metrics.sessionEnded(SessionEnd.LOGOUT);
        audit.logout(facts(ctx.request()), LogIds.actor(session));
    }

    // tokens

    @Override
    public void cacheLookup(Profile profile, boolean hit) {
        metrics.tokenCacheLookup(profile.name(), hit);
    }

    @Override
    public void minted(Session session, Profile profile, AccessToken token, long nanos) {
        metrics.tokenAcquired(profile.name(), TokenOutcome.SUCCESS, nanos);
        audit.tokenMinted(LogIds.actor(session), profile.name(), token.expiresOn());
    }

    @Override
    public void failed(Session session, Profile profile, Throwable failure, long nanos) {
        if (failure instanceof IdpFailure f) {
            metrics.tokenAcquired(profile.name(), switch (f.kind()) {
                case GRANT_REJECTED -> TokenOutcome.GRANT_REJECTED;
                case REJECTED, CONSENT_REQUIRED -> TokenOutcome.REJECTED;
                case UNAVAILABLE -> TokenOutcome.UNAVAILABLE;
            }, nanos);
            metrics.idpError("refresh", f.errorCode(), f.aadsts(), true);
        } else {
            metrics.tokenAcquired(profile.name(), TokenOutcome.ERROR, nanos);
        }
    }
}
