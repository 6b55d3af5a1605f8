package io.github.aksauthproxy.http;

import io.github.aksauthproxy.config.Profile;
import io.github.aksauthproxy.observe.Actor;
import io.github.aksauthproxy.ratelimit.TokenBucketLimiter;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * The per-user limit of {@code /oauth2/auth}: one token bucket per object id and profile, shared by a user's
 * browser sessions and their own bearer tokens, so that neither way in escapes it.
 */
final class UserRateLimit {
    private final TokenBucketLimiter<UserProfile> limiter;
    private final EventRecorder events;

    /** Rate-limit key: one bucket per user (object id) and profile. */
    record UserProfile(String oid, String profile) {
    }

    UserRateLimit(TokenBucketLimiter<UserProfile> limiter, EventRecorder events) {
        this.limiter = limiter;
        this.events = events;
    }

    /** True when the request may go on; otherwise it has been answered 429 with Retry-After, counted and audited. */
    boolean admit(RoutingContext ctx, Actor who, String oid, Profile profile) {
        TokenBucketLimiter.Decision limit = limiter.tryAcquire(new UserProfile(oid, profile.name()));
        if (limit.allowed()) {
            return true;
        }
        events.rateLimited(ctx, who, profile, limit.retryAfterSeconds());
        ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(limit.retryAfterSeconds()));
        AuthSubrequestHandler.plain(ctx.response(), 429, "too many requests");
        return false;
    }
}
