package io.github.aksauthproxy.http;

import io.github.aksauthproxy.access.AccessDecision;
import io.github.aksauthproxy.access.AccessPolicy;
import io.github.aksauthproxy.access.GroupsUnavailable;
import io.github.aksauthproxy.async.Causes;
import io.github.aksauthproxy.config.Config;
import io.github.aksauthproxy.config.Profile;
import io.github.aksauthproxy.entra.AccessToken;
import io.github.aksauthproxy.oidc.GroupClaims;
import io.github.aksauthproxy.session.Session;
import io.github.aksauthproxy.session.SessionRejected;
import io.github.aksauthproxy.session.SessionStore;
import io.github.aksauthproxy.token.TokenService;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /oauth2/auth} on the internal listener: the ingress asks it about every request to a protected route.
 * The answer depends on the session cookie and the named profile only; no other request header (User-Agent,
 * X-Forwarded-*, X-Original-URL, the path) can turn a 401 into a 200.
 *
 * <p>200 carries the profile's access token and the identity headers, every one of them always present (Caddy
 * otherwise forwards a literal placeholder). 401: no usable session. 400: unknown profile. 403: the profile's
 * rules refuse the user. 429 with Retry-After: the user made more requests for this profile than their token bucket
 * allows. 503: Entra cannot mint a token now, the API server cannot answer a profile's RBAC check, Microsoft Graph
 * cannot tell the groups of a user in group overage for a profile with group rules, or the session store (Redis)
 * cannot be asked; never a 200 without a token or for a session nobody verified; how each of Entra's refusals is
 * answered is {@link TokenRefusal}'s. For a profile without group rules, a user in group overage whose groups Graph
 * cannot tell gets a 200 whose groups header is marked truncated. A request without a session cookie but with its own
 * bearer token goes to {@link BearerPassthrough}. Each outcome is reported to the
 * {@link EventRecorder} (metrics, audit).
 */
final class AuthSubrequestHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(AuthSubrequestHandler.class);
    static final List<String> IDENTITY_HEADERS = List.of("Authorization", "X-Auth-Request-User", "X-Auth-Request-Email",
            "X-Auth-Request-Preferred-Username", GroupsHeader.GROUPS, GroupsHeader.TRUNCATED, "X-Auth-Request-Oid", "X-Auth-Request-Tid",
            "X-Auth-Request-Access-Token");
    private static final Future<AccessDecision> OPEN = Future.succeededFuture(AccessDecision.OPEN);

    private final Config config;
    private final SessionStore sessions;
    private final TokenService tokens;
    private final AccessPolicy access;
    private final BearerPassthrough bearer;
    private final BrowserSignIn browserSignIn;
    private final EventRecorder events;
    private final UserRateLimit rateLimit;
    private final SessionGroups groups;

    AuthSubrequestHandler(Config config, SessionStore sessions, TokenService tokens, AccessPolicy access, BearerPassthrough bearer,
                          BrowserSignIn browserSignIn, EventRecorder events, UserRateLimit rateLimit, SessionGroups groups) {
        this.config = config;
        this.sessions = sessions;
        this.tokens = tokens;
        this.access = access;
        this.bearer = bearer;
        this.browserSignIn = browserSignIn;
        this.events = events;
        this.rateLimit = rateLimit;
        this.groups = groups;
    }

    @Override
    public void handle(RoutingContext ctx) {
        List<String> named = ctx.queryParam("profile");
        String profileName = named.isEmpty() ? Config.DEFAULT_PROFILE : named.get(0);
        Profile profile = config.profiles().get(profileName);
        if (profile == null || named.size() > 1) {
            LOG.atError().addKeyValue("event", "auth.bad_profile").addKeyValue("profile", printable(String.join(",", named)))
                    .addKeyValue("reason", named.size() > 1
                            ? "the auth-url names more than one profile (profile=...&profile=...); a request names one profile at most, "
                                    + "fix the ingress annotation"
                            : "the auth-url names a profile that is not configured; "
                            + "fix the ingress annotation or add the profile to AKS_AUTH_PROXY_CONFIG").log();
            events.unknownProfile(ctx, profileName);
            plain(ctx.response(), 400, "unknown profile");
            return;
        }
        Stages.on(ctx, sessions.load(RequestCookies.of(ctx.request())))
                .onSuccess(loaded -> withSession(ctx, profile, loaded))
                .onFailure(e -> storeUnavailable(ctx, profile, e));
    }

    private void withSession(RoutingContext ctx, Profile profile, SessionStore.Loaded loaded) {
        if (!loaded.ok()) {
            Optional<String> bearerToken = loaded.rejected() == SessionRejected.MISSING
                    ? BearerPassthrough.token(ctx.request()) : Optional.empty();
            if (bearerToken.isPresent()) {
                bearer.handle(ctx, profile, bearerToken.orElseThrow());
                return;
            }
            if (LOG.isDebugEnabled()) {
                LOG.atDebug().addKeyValue("event", "auth.unauthenticated").addKeyValue("reason", loaded.rejected().reason()).log();
            }
            events.unauthenticated(ctx, profile, loaded);
            unauthenticated(ctx, profile);
            return;
        }
        Session session = loaded.session();
        rateLimit.admit(ctx, () -> LogIds.actor(session), session.oid(), profile).onSuccess(admitted -> {
            if (admitted) {
                authorize(ctx, session, profile, loaded);
            }
        });
    }

    private void authorize(RoutingContext ctx, Session session, Profile profile, SessionStore.Loaded loaded) {
        GroupClaims known = groups.known(session);
        // The warm path: an open profile has no rules, so no subject to build and nothing to decide.
        Future<AccessDecision> decision = profile.open() && !known.overage() ? OPEN : Stages.on(ctx, access.decide(profile,
                groups.subject(session, known),
                () -> tokens.token(session, config.profiles().get(Config.DEFAULT_PROFILE)).thenApply(AccessToken::value),
                Optional.of(groups.asker(session))));
        decision.onSuccess(d -> admit(ctx, session, profile, loaded, d)).onFailure(e -> tokenFailed(ctx, session, profile, e));
    }

    private void admit(RoutingContext ctx, Session session, Profile profile, SessionStore.Loaded loaded, AccessDecision decision) {
        if (!decision.allowed()) {
            refuse(ctx, session, profile, decision);
            return;
        }
        CompletableFuture<AccessToken> pending = tokens.token(session, profile);
        // A token just minted (here, by another replica, or for the review above) brings the user's groups now, so the
        // groups are read once the token is in hand: a token done already may have arrived from Redis or from the review.
        if (pending.isDone() && !pending.isCompletedExceptionally()) {
            GroupClaims now = groups.known(session);
            if (!now.overage()) {
                // The warm path: a token in hand and groups the tokens listed, so nothing to wait for or chain.
                events.allowed(profile);
                allow(ctx.response(), session, profile, pending.join(), groups.listed(now), loaded);
                return;
            }
        }
        Stages.on(ctx, pending.thenCompose(token -> groups.header(session, profile, groups.known(session))
                        .thenApply(header -> new Allowed(token, header))))
                .onSuccess(a -> {
                    events.allowed(profile);
                    allow(ctx.response(), session, profile, a.token(), a.groups(), loaded);
                })
                .onFailure(e -> {
                    Throwable cause = Causes.of(e);
                    if (cause instanceof GroupsUnavailable u) {
                        refuse(ctx, session, profile, new AccessDecision(AccessDecision.Outcome.UNAVAILABLE,
                                "the user is in group overage and Microsoft Graph cannot tell their groups: " + u.getMessage(),
                                Optional.of(u.retryAfter())));
                    } else {
                        tokenFailed(ctx, session, profile, e);
                    }
                });
    }

    private record Allowed(AccessToken token, GroupsHeader.Value groups) {
    }

    private void refuse(RoutingContext ctx, Session session, Profile profile, AccessDecision decision) {
        if (decision.outcome() == AccessDecision.Outcome.UNAVAILABLE) {
            events.tokenUnavailable(profile);
        } else {
            events.forbidden(ctx, session, profile, decision.reason());
        }
        AccessRefusal.answer(ctx.response(), session.user(), LogIds.sidHash(session.id()), profile, decision);
    }

    /** Redis (the session store) could not be asked: 503, the cookie kept. */
    private void storeUnavailable(RoutingContext ctx, Profile profile, Throwable e) {
        events.tokenUnavailable(profile);
        StoreUnavailableAnswer.plain(ctx, e);
    }

    /** 401, or for a browser behind a proxy without an auth-signin hook, when asked, a 302 to sign-in. */
    private void unauthenticated(RoutingContext ctx, Profile profile) {
        browserSignIn.location(ctx.request(), profile).ifPresentOrElse(
                location -> Responses.redirect(ctx, location, List.of()),
                () -> plain(ctx.response(), 401, "unauthenticated"));
    }

    private void allow(HttpServerResponse r, Session session, Profile profile, AccessToken token, GroupsHeader.Value groupsHeader,
                       SessionStore.Loaded loaded) {
        MultiMap h = r.headers();
        IdentityHeaders.set(h, profile, token.value(), session.user(), session.email(), groupsHeader, session.oid(), session.tid());
        // One cookie at most: NGINX forwards only the first Set-Cookie of an auth subrequest.
        loaded.renewal().forEach(r::addCookie);
        h.set(HttpHeaders.CACHE_CONTROL, "no-store");
        r.setStatusCode(200).end();
    }

    private void tokenFailed(RoutingContext ctx, Session session, Profile profile, Throwable e) {
        TokenRefusal.answer(ctx, session, profile, e, events, () -> unauthenticated(ctx, profile));
    }

    static void plain(HttpServerResponse r, int status, String body) {
        r.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(body);
    }

    /** A value from the request, safe to put in one log line. */
    static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?").replace("\"", "'");
    }
}
