package io.github.aksauthproxy.http;

import io.github.aksauthproxy.async.Causes;
import io.github.aksauthproxy.config.Profile;
import io.github.aksauthproxy.session.Session;
import io.github.aksauthproxy.token.TokenFailure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Answers an auth subrequest whose session got no token: 401 when the session is over (sign in again), 403 when
 * signing in cannot help (a missing consent, or Entra refusing right after a sign-in that carried the profile's
 * scopes and claims: no sign-in loop), 503 with the remaining wait as Retry-After when Entra cannot answer now.
 * Entra's answer is logged once, by the first request told about it; every request is counted.
 */
final class TokenRefusal {
    private static final Logger LOG = LoggerFactory.getLogger(TokenRefusal.class);

    /**
     * Entra's code on a 403 that no sign-in cures (not an identity header: no proxy forwards it to the app). The shipped
     * NGINX config hands it to the error page, which explains it to the person refused.
     */
    static final String REFUSAL_CODE_HEADER = "X-Auth-Refusal-Code";

    private TokenRefusal() {
    }

    /** @param signIn answers the request as unauthenticated (401, or a browser's redirect to sign-in) */
    static void answer(RoutingContext ctx, Session session, Profile profile, Throwable e, EventRecorder events, Runnable signIn) {
        Throwable cause = Causes.of(e);
        if (!(cause instanceof TokenFailure f)) {
            log(LOG.atError(), "token.failure", session, profile).addKeyValue("reason", "unexpected " + cause.getClass().getName()).log();
            events.tokenUnavailable(profile);
            unavailable(ctx, 5);
            return;
        }
        String code = f.entra().code();
        switch (f.outcome()) {
            case SIGN_IN_AGAIN -> {
                if (f.first()) {
                    log(LOG.atInfo(), "session.ended", session, profile).addKeyValue("reason", f.getMessage()).log();
                    events.sessionRevoked(ctx, session, profile);
                } else {
                    events.endedSessionSeen(profile);
                }
                signIn.run();
            }
            case CONSENT_REQUIRED -> {
                String scopes = String.join(" ", profile.scopes());
                if (f.first()) {
                    log(LOG.atWarn(), "token.consent_required", session, profile).addKeyValue("scope", scopes)
                            .addKeyValue("reason", f.getMessage() + "; grant admin consent for " + scopes + " to the app registration").log();
                }
                events.forbidden(ctx, session, profile, f.outcome().reason());
                f.entra().aadsts().ifPresent(c -> ctx.response().putHeader(REFUSAL_CODE_HEADER, c));
                AuthSubrequestHandler.plain(ctx.response(), 403,
                        "forbidden: consent is missing for " + scopes + "; an administrator must grant it to this app (" + code + ")");
            }
            case REFUSED_AFTER_SIGN_IN -> {
                if (f.first()) {
                    log(LOG.atWarn(), "token.refused_after_sign_in", session, profile).addKeyValue("reason", f.getMessage()
                            + "; a new sign-in with the profile's scopes" + (f.entra().claims().isPresent() ? " and Entra's claims challenge" : "")
                            + " did not satisfy Entra, so the user is not sent round again").log();
                }
                events.forbidden(ctx, session, profile, f.outcome().reason());
                f.entra().aadsts().ifPresent(c -> ctx.response().putHeader(REFUSAL_CODE_HEADER, c));
                AuthSubrequestHandler.plain(ctx.response(), 403, "forbidden: Microsoft Entra ID still refuses a token for profile "
                        + profile.name() + " after a new sign-in (" + code + "); ask an administrator");
            }
            case UNAVAILABLE -> {
                if (f.first()) {
                    log(LOG.atWarn(), "token.failure", session, profile).addKeyValue("reason", f.getMessage()).log();
                }
                events.tokenUnavailable(profile);
                unavailable(ctx, Math.max(1, (f.retryAfter().toMillis() + 999) / 1000));
            }
        }
    }

    private static void unavailable(RoutingContext ctx, long retryAfterSeconds) {
        ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        AuthSubrequestHandler.plain(ctx.response(), 503, "token temporarily unavailable");
    }

    private static LoggingEventBuilder log(LoggingEventBuilder b, String event, Session session, Profile profile) {
        return b.addKeyValue("event", event).addKeyValue("user", session.user()).addKeyValue("sid_hash", LogIds.sidHash(session.id()))
                .addKeyValue("profile", profile.name());
    }
}
