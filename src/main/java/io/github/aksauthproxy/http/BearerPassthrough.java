package io.github.aksauthproxy.http;

import io.github.aksauthproxy.access.AccessDecision;
import io.github.aksauthproxy.access.AccessPolicy;
import io.github.aksauthproxy.access.Subject;
import io.github.aksauthproxy.config.Profile;
import io.github.aksauthproxy.observe.Actor;
import io.github.aksauthproxy.oidc.BearerIdentity;
import io.github.aksauthproxy.oidc.BearerTokenValidator;
import io.github.aksauthproxy.oidc.IdTokenRejectedException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /oauth2/auth} for a non-browser client (kubectl with kubelogin, a script) that brings its own Entra token
 * and no session cookie. The token is validated (signature by the tenant's keys, issuer, audience, expiry), the
 * profile's rules are applied to its claims (an RBAC check uses the caller's own token), and on success the same
 * {@code Authorization} goes on with identity headers from the claims. Invalid: 401. Nothing is minted. A valid
 * token's user shares the per-user rate limit with their browser sessions (429).
 */
final class BearerPassthrough {
    private static final Logger LOG = LoggerFactory.getLogger(BearerPassthrough.class);
    /** A JWS compact serialization: three base64url parts (the middle one may not be empty). */
    private static final Pattern JWT_SHAPE = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

    private final BearerTokenValidator validator;
    private final AccessPolicy access;
    private final GroupsHeader groupsHeader;
    private final UserRateLimit rateLimit;

    BearerPassthrough(BearerTokenValidator validator, AccessPolicy access, GroupsHeader groupsHeader, UserRateLimit rateLimit) {
        this.validator = validator;
        this.access = access;
        this.groupsHeader = groupsHeader;
        this.rateLimit = rateLimit;
    }

    /** The request's bearer token when it carries exactly one {@code Authorization: Bearer <JWT>}. */
    static Optional<String> token(HttpServerRequest request) {
        List<String> values = request.headers().getAll(HttpHeaders.AUTHORIZATION);
        if (values.size() != 1 || values.get(0).length() < 8 || !values.get(0).regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = values.get(0).substring(7).trim();
        return JWT_SHAPE.matcher(token).matches() ? Optional.of(token) : Optional.empty();
    }

    void handle(RoutingContext ctx, Profile profile, String token) {
        HttpServerResponse r = ctx.response();
        ctx.vertx().executeBlocking(() -> validator.validate(token), false).onComplete(validated -> {
            if (validated.failed()) {
                rejected(r, validated.cause());
                return;
            }
            BearerIdentity id = validated.result();
            // Limited after validation, by the token's own object id: a forged oid never reaches the buckets.
            rateLimit.admit(ctx, () -> new Actor(id.user(), id.tid(), null), id.oid(), profile).onSuccess(admitted -> {
                if (admitted) {
                    authorize(ctx, profile, token, id);
                }
            });
        });
    }

    private void authorize(RoutingContext ctx, Profile profile, String token, BearerIdentity id) {
        HttpServerResponse r = ctx.response();
        Subject subject = new Subject("bearer:" + sha256(token), id.oid(), id.tid(), id.upn(), id.email(), id.emailVerified(), id.groups(),
                id.groupsOverage());
        CompletableFuture<AccessDecision> decision = access.decide(profile, subject, () -> CompletableFuture.completedFuture(token));
        Future.fromCompletionStage(decision, ctx.vertx().getOrCreateContext()).onComplete(d -> {
            if (d.failed() || !d.result().allowed()) {
                AccessDecision refused = d.failed()
                        ? new AccessDecision(AccessDecision.Outcome.UNAVAILABLE, "unexpected " + d.cause().getClass().getName())
                        : d.result();
                AccessRefusal.answer(r, id.user(), null, profile, refused);
                return;
            }
            // A token in group overage lists none of the groups, and a bearer caller's are never asked of Graph.
            IdentityHeaders.set(r.headers(), profile, token, id.user(), id.email(), groupsHeader.of(id.groups(), !id.groupsOverage()),
                    id.oid(), id.tid());
            r.putHeader(HttpHeaders.CACHE_CONTROL, "no-store").setStatusCode(200).end();
        });
    }

    private static void rejected(HttpServerResponse r, Throwable cause) {
        if (cause instanceof IdTokenRejectedException) {
            LOG.atInfo().addKeyValue("event", "bearer.rejected").addKeyValue("reason", cause.getMessage()).log();
            AuthSubrequestHandler.plain(r, 401, "unauthenticated");
            return;
        }
        // Discovery or keys cannot be fetched: the token may well be good, so not 401 (which would send a sign-in).
        LOG.atWarn().addKeyValue("event", "bearer.unverifiable").addKeyValue("reason", cause.getMessage()).log();
        r.putHeader(HttpHeaders.RETRY_AFTER, "5");
        AuthSubrequestHandler.plain(r, 503, "token validation temporarily unavailable");
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
