package io.github.aksauthproxy.http;

import io.github.aksauthproxy.config.Profile;
import io.github.aksauthproxy.redirect.RedirectValidator;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For proxies without an auth-signin hook (Caddy, Traefik, Envoy pass the auth answer to the browser as is): when
 * the profile or {@code /oauth2/auth?redirect=browser} asks for it, an unauthenticated request whose {@code Accept}
 * names {@code text/html} gets a 302 to {@code /oauth2/start} instead of 401. API clients still get 401.
 *
 * <p>The way back ({@code rd}) is rebuilt from {@code X-Forwarded-Proto}, {@code -Host} and {@code -Uri}, but only when
 * the peer is a trusted proxy ({@code AKS_AUTH_PROXY_TRUSTED_PROXIES}): anyone else could name any host. It is then
 * validated like every {@code rd}. Untrusted peers, or a target the allow-list rejects, get the sign-in URL without
 * {@code rd}, so the user lands on {@code /} after signing in.
 */
final class BrowserSignIn {
    private static final Logger LOG = LoggerFactory.getLogger(BrowserSignIn.class);
    static final String START = "/oauth2/start";

    private final RedirectValidator redirects;
    private final TrustedProxies proxies;

    BrowserSignIn(RedirectValidator redirects, TrustedProxies proxies) {
        this.redirects = redirects;
        this.proxies = proxies;
    }

    /** Where to send this unauthenticated request, or empty when it gets 401. */
    Optional<String> location(HttpServerRequest request, Profile profile) {
        boolean asked = profile.browserRedirect() || "browser".equals(request.getParam("redirect"));
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        if (!asked || accept == null || !accept.toLowerCase(java.util.Locale.ROOT).contains("text/html")) {
            return Optional.empty();
        }
        String peer = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        if (!proxies.trusts(peer)) {
            LOG.atDebug().addKeyValue("event", "auth.browser_redirect").addKeyValue("rd", "none")
                    .addKeyValue("reason", "peer is not in AKS_AUTH_PROXY_TRUSTED_PROXIES").log();
            return Optional.of(START);
        }
        String uri = request.getHeader("X-Forwarded-Uri");
        String proto = request.getHeader("X-Forwarded-Proto");
        String host = request.getHeader("X-Forwarded-Host");
        if (uri == null || !uri.startsWith("/")) {
            return Optional.of(START);
        }
        String original = proto != null && host != null ? proto + "://" + host + uri : uri;
        RedirectValidator.Result checked = redirects.validate(original);
        if (checked.rejected().isPresent()) {
            LOG.atInfo().addKeyValue("event", "redirect.rejected").addKeyValue("where", "auth")
                    .addKeyValue("reason", checked.rejected().get().describe()).log();
            return Optional.of(START);
        }
        return Optional.of(START + "?rd=" + URLEncoder.encode(checked.target().orElseThrow(), StandardCharsets.UTF_8));
    }
}
