package io.github.aksauthproxy.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.aksauthproxy.async.Causes;
import io.github.aksauthproxy.config.Config;
import io.github.aksauthproxy.entra.AadstsExplanations;
import io.github.aksauthproxy.entra.EntraUserFlows;
import io.github.aksauthproxy.entra.IdpFailure;
import io.github.aksauthproxy.entra.SignInResult;
import io.github.aksauthproxy.oidc.IdTokenClaims;
import io.github.aksauthproxy.oidc.IdTokenRejectedException;
import io.github.aksauthproxy.oidc.IdTokenValidator;
import io.github.aksauthproxy.oidc.OidcUnavailableException;
import io.github.aksauthproxy.redirect.RedirectValidator;
import io.github.aksauthproxy.session.LoginRejected;
import io.github.aksauthproxy.session.LoginState;
import io.github.aksauthproxy.session.LoginStateCookies;
import io.github.aksauthproxy.session.Session;
import io.github.aksauthproxy.session.SessionStore;
import io.github.aksauthproxy.session.SessionStoreUnavailable;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * {@code GET /oauth2/callback?code&state}: finishes a sign-in. The state must match a sign-in cookie this browser
 * holds (and not have been used before); the code is redeemed with the PKCE verifier; the ID token is validated;
 * then a new session replaces whatever the browser had, and the browser returns to where it was going.
 */
final class CallbackHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackHandler.class);
    private static final java.util.regex.Pattern VISIBLE_ASCII = java.util.regex.Pattern.compile("[\\x20-\\x7e]+");

    private final Vertx vertx;
    private final Config config;
    private final EntraUserFlows entra;
    private final IdTokenValidator idTokens;
    private final LoginStateCookies loginCookies;
    private final SessionStore sessions;
    private final RedirectValidator redirects;
    private final SecureRandom random;
    private final Clock clock;
    private final EventRecorder events;
    /** States already redeemed here: a replayed callback (even with its cookie) is refused. */
    private final Cache<String, Boolean> usedStates = Caffeine.newBuilder()
            .expireAfterWrite(LoginStateCookies.MAX_AGE.multipliedBy(2)).maximumSize(100_000).build();

    CallbackHandler(Vertx vertx, Config config, EntraUserFlows entra, IdTokenValidator idTokens, LoginStateCookies loginCookies,
                    SessionStore sessions, RedirectValidator redirects, SecureRandom random, Clock clock, EventRecorder events) {
        this.redirects = redirects;
        this.vertx = vertx;
        this.config = config;
        this.entra = entra;
        this.idTokens = idTokens;
        this.loginCookies = loginCookies;
        this.sessions = sessions;
        this.random = random;
        this.clock = clock;
        this.events = events;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String state = ctx.request().getParam("state");
        String error = ctx.request().getParam("error");
        Map<String, String> cookies = RequestCookies.of(ctx.request());
        List<Cookie> clearLogin = loginCookies.clearIfPresent(state, cookies);
        if (error != null) {
            idpError(ctx, error, ctx.request().getParam("error_description"), loginCookies.redirectTarget(state, cookies), clearLogin);
            return;
        }
        LoginStateCookies.Result attempt = loginCookies.read(state, cookies);
        if (attempt.rejected() != null) {
            refuse(ctx, attempt.rejected(), loginCookies.redirectTarget(state, cookies), clearLogin);
            return;
        }
        LoginState login = attempt.state();
        Optional<String> rd = Optional.of(login.redirectTarget());
        if (usedStates.asMap().putIfAbsent(state, Boolean.TRUE) != null) {
            refuse(ctx, LoginRejected.REPLAYED, rd, clearLogin);
            return;
        }
        String code = ctx.request().getParam("code");
        // RFC 6749 appendix A.11: a code is visible ASCII. Anything else is not Entra's and never reaches it (MSAL4J threw on some).
        if (code == null || code.isBlank() || code.length() > 4096 || !VISIBLE_ASCII.matcher(code).matches()) {
            loginFailed(ctx, Level.INFO, "the callback carries no usable code");
            page(ctx, 400, "Sign-in failed", "The answer from Microsoft Entra ID was incomplete, so the sign-in could not finish.",
                    rd, Optional.empty(), clearLogin);
            return;
        }
        Future.fromCompletionStage(entra.redeem(code, login.codeVerifier()), vertx.getOrCreateContext())
                .compose(result -> vertx.executeBlocking(() -> idTokens.validate(result.idToken(), login.nonce()), false)
                        .map(claims -> newSession(claims, result, login.stepUp())))
                .compose(session -> Stages.on(ctx, sessions.save(session, cookies)))
                .onSuccess(saved -> signedIn(ctx, saved, login, clearLogin))
                .onFailure(e -> signInFailed(ctx, e, rd, clearLogin));
    }

    private void signedIn(RoutingContext ctx, SessionStore.Saved saved, LoginState login, List<Cookie> clearLogin) {
        Session session = saved.session();
        List<Cookie> out = new ArrayList<>(saved.cookies());
        out.addAll(clearLogin);
        LOG.atInfo().addKeyValue("event", "login.success").addKeyValue("user", session.user())
                .addKeyValue("tenant", session.tid()).addKeyValue("sid_hash", LogIds.sidHash(session.id())).log();
        events.loginSuccess(ctx, session);
        Responses.redirect(ctx, login.redirectTarget(), out);
    }

    private Session newSession(IdTokenClaims claims, SignInResult result, Optional<String> stepUp) {
        byte[] id = new byte[18];
        random.nextBytes(id);
        Instant now = clock.instant();
        return new Session(Base64.getUrlEncoder().withoutPadding().encodeToString(id), claims.oid(), claims.tid(),
                claims.preferredUsername(), claims.name(), claims.email(), claims.groups(), result.refreshToken(),
                now, now.plus(config.sessionLifetime()), now, claims.upn(), claims.emailVerified(), stepUp, claims.groupsOverage());
    }

    private void refuse(RoutingContext ctx, LoginRejected why, Optional<String> rd, List<Cookie> clearLogin) {
        loginFailed(ctx, Level.INFO, why.reason());
        page(ctx, 403, "Sign-in could not be completed", "This sign-in link is not valid in this browser: it may have expired, "
                + "been used already, or been started elsewhere.", rd, Optional.empty(), clearLogin);
    }

    private void idpError(RoutingContext ctx, String error, String description, Optional<String> rd, List<Cookie> clearLogin) {
        // The code is read from the browser's URL: only its AADSTS<digits> form is ever shown, escaped.
        Optional<String> aadsts = AadstsExplanations.findCode(description);
        String safeError = error.matches("[a-z_]{1,64}") ? error : "unknown";
        events.idpError("authorize", safeError, aadsts, false);
        loginFailed(ctx, Level.INFO, "the identity provider returned error=" + safeError + aadsts.map(c -> " " + c).orElse(""));
        if ("access_denied".equals(safeError)) {
            page(ctx, 403, "Access denied", aadsts.isPresent() ? "Microsoft Entra ID did not let you into this application."
                    : "Sign-in was cancelled, or Microsoft Entra ID denied access.", rd, aadsts, clearLogin);
            return;
        }
        page(ctx, 400, "Sign-in failed", "Microsoft Entra ID could not sign you in" + (aadsts.isPresent() ? "." : " (it reported '"
                + safeError + "')."), rd, aadsts, clearLogin);
    }

    private void signInFailed(RoutingContext ctx, Throwable failure, Optional<String> rd, List<Cookie> clearLogin) {
        // MSAL4J's future delivers the redemption's failure wrapped; the cause says what Entra answered.
        Throwable e = Causes.of(failure);
        if (e instanceof IdpFailure f && f.kind() == IdpFailure.Kind.GRANT_REJECTED) {
            events.idpError("redeem", f.errorCode(), f.aadsts(), true);
            loginFailed(ctx, Level.INFO, "the code was rejected: " + f.describe());
            page(ctx, 400, "Sign-in failed", "This sign-in response was already used or has expired.", rd, f.aadsts(), clearLogin);
        } else if (e instanceof IdpFailure f) {
            events.idpError("redeem", f.errorCode(), f.aadsts(), true);
            loginFailed(ctx, Level.WARN, f.describe());
            page(ctx, f.kind() == IdpFailure.Kind.UNAVAILABLE ? 503 : 502, "Sign-in failed",
                    "Microsoft Entra ID could not complete the sign-in right now. Please try again in a moment.", rd, f.aadsts(), clearLogin);
        } else if (e instanceof IdTokenRejectedException r) {
            loginFailed(ctx, Level.WARN, r.getMessage());
            page(ctx, 403, "Sign-in failed", "The sign-in response could not be verified.", rd, Optional.empty(), clearLogin);
        } else if (e instanceof SessionStoreUnavailable u) {
            loginFailed(ctx, Level.WARN, "the session store cannot keep the new session: " + u.getMessage());
            StoreUnavailableAnswer.page(ctx, u, clearLogin);
        } else if (e instanceof OidcUnavailableException u) {
            loginFailed(ctx, Level.WARN, u.getMessage());
            page(ctx, 503, "Sign-in failed", "Microsoft Entra ID cannot be reached right now. Please try again in a moment.", rd,
                    Optional.empty(), clearLogin);
        } else {
            loginFailed(ctx, Level.ERROR, "unexpected " + e.getClass().getName());
            page(ctx, 500, "Sign-in failed", "Something went wrong on our side.", rd, Optional.empty(), clearLogin);
        }
    }

    /** The error page, with a way back to where the person was going when the sign-in knew it. */
    private void page(RoutingContext ctx, int status, String title, String message, Optional<String> rd, Optional<String> aadsts,
                      List<Cookie> clearLogin) {
        Responses.error(ctx, ErrorPage.of(status, title, message, RequestId.of(ctx, random), ErrorPage.signInAgain(redirects, rd))
                .withCode(aadsts), clearLogin);
    }

    /** One service log line and one audit event; {@code reason} never holds the code, the state or a token. */
    private void loginFailed(RoutingContext ctx, Level level, String reason) {
        LOG.atLevel(level).addKeyValue("event", "login.failure").addKeyValue("reason", reason)
                .addKeyValue("request_id", RequestId.of(ctx, random)).log();
        events.loginFailure(ctx, reason);
    }
}
