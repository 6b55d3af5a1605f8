package io.github.aksauthproxy.http;

import io.github.aksauthproxy.config.Secret;
import io.github.aksauthproxy.entra.EntraUserFlows;
import io.github.aksauthproxy.entra.StepUp;
import io.github.aksauthproxy.ratelimit.RateLimiter;
import io.github.aksauthproxy.ratelimit.RateLimiter.Decision;
import io.github.aksauthproxy.redirect.RedirectValidator;
import io.github.aksauthproxy.session.LoginState;
import io.github.aksauthproxy.session.LoginStateCookies;
import io.github.aksauthproxy.session.SessionStore;
import io.github.aksauthproxy.token.TokenService;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /oauth2/start?rd=}: begins a sign-in. Creates state, nonce and a PKCE verifier, keeps them with the
 * validated return target in a cookie named from the state, clears any existing session (no session fixation) and
 * sends the browser to Entra; when Entra ended that session wanting more of the user, with what it asked for.
 */
final class StartHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(StartHandler.class);
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Future<Decision> UNLIMITED = Future.succeededFuture(Decision.ALLOWED);

    private final EntraUserFlows entra;
    private final LoginStateCookies loginCookies;
    private final SessionStore sessions;
    private final RedirectValidator redirects;
    private final SecureRandom random;
    private final Clock clock;
    private final EventRecorder events;
    private final TrustedProxies proxies;
    private final RateLimiter<String> limiter;
    private final TokenService tokens;

    /**
     * @param limiter sign-in starts per client address; used only when trusted proxies are configured, since
     *                otherwise every browser arrives from the ingress controller's address and would share one bucket
     * @param tokens knows whether Entra ended the browser's current session wanting more from its next sign-in
     */
    StartHandler(EntraUserFlows entra, LoginStateCookies loginCookies, SessionStore sessions, RedirectValidator redirects,
                 SecureRandom random, Clock clock, EventRecorder events, TrustedProxies proxies, RateLimiter<String> limiter,
                 TokenService tokens) {
        this.entra = entra;
        this.loginCookies = loginCookies;
        this.sessions = sessions;
        this.redirects = redirects;
        this.random = random;
        this.clock = clock;
        this.events = events;
        this.proxies = proxies;
        this.limiter = limiter;
        this.tokens = tokens;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Future<Decision> limit = proxies.any() ? Stages.on(ctx, limiter.acquire(proxies.clientIp(ctx.request()))) : UNLIMITED;
        limit.onSuccess(l -> {
            if (l.allowed()) {
                start(ctx);
                return;
            }
            events.signInLimited(ctx, l.retryAfterSeconds());
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(l.retryAfterSeconds()));
            Responses.page(ctx, 429, "Too many sign-in attempts",
                    "Too many sign-ins were started from your address. Please wait a moment and try again.", List.of());
        });
    }

    private void start(RoutingContext ctx) {
        String rd = ctx.request().getParam("rd");
        RedirectValidator.Result checked = redirects.validate(rd);
        if (rd != null && checked.rejected().isPresent()) {
            LOG.atInfo().addKeyValue("event", "redirect.rejected").addKeyValue("where", "start")
                    .addKeyValue("reason", checked.rejected().get().describe()).log();
        }
        String target = checked.target().orElse("/");
        Map<String, String> cookies = RequestCookies.of(ctx.request());
        stepUp(ctx, cookies).onSuccess(stepUp -> redirect(ctx, cookies, stepUp, target));
    }

    private void redirect(RoutingContext ctx, Map<String, String> cookies, Optional<StepUp> stepUp, String target) {
        String state = randomToken(32);
        Secret nonce = new Secret(randomToken(32));
        Secret verifier = new Secret(randomToken(32));
        List<Cookie> out = new ArrayList<>(sessions.clear(cookies));
        out.addAll(loginCookies.dropPendingIfTooMany(cookies));
        out.add(loginCookies.write(new LoginState(state, nonce, verifier, target, clock.instant(), stepUp.map(StepUp::profile))));
        String location = entra.authorizationUrl(state, nonce, challenge(verifier), stepUp).toString();
        Responses.redirect(ctx, location, out);
    }

    /**
     * When the session this browser still holds was ended by Entra wanting the user (a Conditional Access claims
     * challenge, interaction_required), this sign-in carries the refused profile's scopes and Entra's claims, so it
     * can satisfy what the plain sign-in could not. Remembered on the replica that saw the refusal, by the id the
     * cookie names, and in the redis store for every replica (that session is already deleted there). When the store
     * cannot answer, the sign-in goes ahead without: a refusal again brings the browser back once more.
     */
    private Future<Optional<StepUp>> stepUp(RoutingContext ctx, Map<String, String> cookies) {
        Optional<String> sessionId = sessions.presentedId(cookies);
        if (sessionId.isEmpty()) {
            return Future.succeededFuture(Optional.empty());
        }
        Optional<StepUp> here = tokens.pendingStepUp(sessionId.get());
        Future<Optional<StepUp>> found = here.isPresent() ? Future.succeededFuture(here)
                : Stages.on(ctx, sessions.pendingStepUp(cookies)).recover(e -> {
                    LOG.atWarn().addKeyValue("event", "sign_in.step_up_unknown").addKeyValue("sid_hash", LogIds.sidHash(sessionId.get()))
                            .addKeyValue("reason", e.getMessage()).log();
                    return Future.succeededFuture(Optional.empty());
                });
        return found.onSuccess(stepUp -> stepUp.ifPresent(s -> LOG.atInfo().addKeyValue("event", "sign_in.step_up")
                .addKeyValue("sid_hash", LogIds.sidHash(sessionId.get())).addKeyValue("profile", s.profile())
                .addKeyValue("claims", s.claims().isPresent()).log()));
    }

    private String randomToken(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return B64URL.encodeToString(b);
    }

    /** RFC 7636 section 4.2: S256 challenge. */
    private static String challenge(Secret verifier) {
        try {
            return B64URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.value().getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
