package io.github.aksauthproxy.http;

import io.github.aksauthproxy.config.Profile;
import io.github.aksauthproxy.observe.Actor;
import io.github.aksauthproxy.ratelimit.RateLimiter;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The per-user limit of {@code /oauth2/auth}: one token bucket per object id and profile, shared by a user's
 * browser sessions and their own bearer tokens, so that neither way in escapes it (in the redis store, shared by
 * every replica too).
 */
final class UserRateLimit {
    private static final Future<Boolean> ADMITTED = Future.succeededFuture(true);
    private final RateLimiter<UserProfile> limiter;
    private final EventRecorder events;

    /** Rate-limit key: one bucket per user (object id) and profile. */
    record UserProfile(String oid, String profile) {
        /** The key as the shared limiter names it (its HMAC, not this, reaches Redis). */
        String subject() {
            return oid + "|" + profile;
        }
    }

    UserRateLimit(RateLimiter<UserProfile> limiter, EventRecorder events) {
        this.limiter = limiter;
        this.events = events;
    }

    /** True when the request may go on; false when it has been answered 429 with Retry-After, counted and audited. */
    /** @param who the user as the audit trail names them, made only for a refusal (a session's costs a SHA-256) */
    Future<Boolean> admit(RoutingContext ctx, Supplier<Actor> who, String oid, Profile profile) {
        CompletableFuture<RateLimiter.Decision> decided = limiter.acquire(new UserProfile(oid, profile.name())).toCompletableFuture();
        if (decided.isDone() && !decided.isCompletedExceptionally() && decided.join().allowed()) {
            return ADMITTED;   // the warm path of the in-process limiter: nothing more to allocate
        }
        return Stages.on(ctx, decided).map(limit -> {
            if (limit.allowed()) {
                return true;
            }
            events.rateLimited(ctx, who.get(), profile, limit.retryAfterSeconds());
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(limit.retryAfterSeconds()));
            AuthSubrequestHandler.plain(ctx.response(), 429, "too many requests");
            return false;
        });
    }
}
