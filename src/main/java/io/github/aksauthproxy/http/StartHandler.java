package io.github.aksauthproxy.http;

import io.github.aksauthproxy.config.Secret;
import io.github.aksauthproxy.entra.EntraUserFlows;
import io.github.aksauthproxy.redirect.RedirectValidator;
import io.github.aksauthproxy.session.LoginState;
import io.github.aksauthproxy.session.LoginStateCookies;
import io.github.aksauthproxy.session.SessionStore;
import io.vertx.core.Handler;
import io.github.aksauthproxy.ratelimit.TokenBucketLimiter;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /oauth2/start?rd=}: begins a sign-in. Creates state, nonce and a PKCE verifier, keeps them with the
 * validated return target in a cookie named from the state, clears any existing session (no session fixation) and
 * sends the browser to Entra.
 */
final class StartHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(StartHandler.class);
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private final EntraUserFlows entra;
    private final LoginStateCookies loginCookies;
    private final SessionStore sessions;
    private final RedirectValidator redirects;
    private final SecureRandom random;
    private final Clock clock;
    private final EventRecorder events;
    private final TrustedProxies proxies;
    private final TokenBucketLimiter<String> limiter;

    /**
     * @param limiter sign-in starts per client address; used only when trusted proxies are configured, since
     *                otherwise every browser arrives from the ingress controller's address and would share one bucket
     */
    StartHandler(EntraUserFlows entra, LoginStateCookies loginCookies, SessionStore sessions, RedirectValidator redirects,
                 SecureRandom random, Clock clock, EventRecorder events, TrustedProxies proxies, TokenBucketLimiter<String> limiter) {
        this.entra = entra;
        this.loginCookies = loginCookies;
        this.sessions = sessions;
        this.redirects = redirects;
        this.random = random;
        this.clock = clock;
        this.events = events;
        this.proxies = proxies;
        this.limiter = limiter;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (proxies.any()) {
            TokenBucketLimiter.Decision limit = limiter.tryAcquire(proxies.clientIp(ctx.request()));
            if (!limit.allowed()) {
                events.signInLimited(ctx, limit.retryAfterSeconds());
                ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(limit.retryAfterSeconds()));
                Responses.page(ctx, 429, "Too many sign-in attempts",
                        "Too many sign-ins were started from your address. Please wait a moment and try again.", List.of());
                return;
            }
        }
        String rd = ctx.request().getParam("rd");
        RedirectValidator.Result checked = redirects.validate(rd);
        if (rd != null && checked.rejected().isPresent()) {
            LOG.atInfo().addKeyValue("event", "redirect.rejected").addKeyValue("where", "start")
                    .addKeyValue("reason", checked.rejected().get().describe()).log();
        }
        String target = checked.target().orElse("/");
        String state = randomToken(32);
        Secret nonce = new Secret(randomToken(32));
        Secret verifier = new Secret(randomToken(32));
        Map<String, String> cookies = RequestCookies.of(ctx.request());
        List<Cookie> out = new ArrayList<>(sessions.clear(cookies));
        out.addAll(loginCookies.dropPendingIfTooMany(cookies));
        out.add(loginCookies.write(new LoginState(state, nonce, verifier, target, clock.instant())));
        String location = entra.authorizationUrl(state, nonce, challenge(verifier)).toString();
        Responses.redirect(ctx, location, out);
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
