package io.github.aksauthproxy.http;

import io.github.aksauthproxy.config.Config;
import io.github.aksauthproxy.oidc.ProviderMetadata;
import io.github.aksauthproxy.redirect.RedirectValidator;
import io.github.aksauthproxy.session.SessionStore;
import io.github.aksauthproxy.token.TokenService;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET|POST /oauth2/sign_out?rd=}: ends the session in this browser (cookies cleared, its cached tokens
 * dropped), then returns to the validated {@code rd}, or, when configured, goes on to Entra's end-session
 * endpoint with that target as {@code post_logout_redirect_uri}.
 */
final class SignOutHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(SignOutHandler.class);

    private final Config config;
    private final SessionStore sessions;
    private final TokenService tokens;
    private final RedirectValidator redirects;
    private final Supplier<Optional<ProviderMetadata>> metadata;
    private final EventRecorder events;

    SignOutHandler(Config config, SessionStore sessions, TokenService tokens, RedirectValidator redirects,
                   Supplier<Optional<ProviderMetadata>> metadata, EventRecorder events) {
        this.config = config;
        this.sessions = sessions;
        this.tokens = tokens;
        this.redirects = redirects;
        this.metadata = metadata;
        this.events = events;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Map<String, String> cookies = RequestCookies.of(ctx.request());
        SessionStore.Loaded loaded = sessions.load(cookies);
        if (loaded.ok()) {
            tokens.forget(loaded.session().id());
            LOG.atInfo().addKeyValue("event", "logout").addKeyValue("user", loaded.session().user())
                    .addKeyValue("sid_hash", LogIds.sidHash(loaded.session().id())).log();
            events.logout(ctx, loaded.session());
        }
        List<Cookie> clear = sessions.clear(cookies);
        String rd = ctx.request().getParam("rd");
        RedirectValidator.Result checked = redirects.validate(rd);
        if (rd != null && checked.rejected().isPresent()) {
            LOG.atInfo().addKeyValue("event", "redirect.rejected").addKeyValue("where", "sign_out")
                    .addKeyValue("reason", checked.rejected().get().describe()).log();
        }
        Optional<URI> endSession = config.idpSignOut() ? metadata.get().flatMap(ProviderMetadata::endSessionEndpoint) : Optional.empty();
        if (endSession.isPresent()) {
            String back = config.redirectUrl().resolve(checked.target().orElse("/")).toString();
            String sep = endSession.get().getRawQuery() == null ? "?" : "&";
            Responses.redirect(ctx, endSession.get() + sep + "post_logout_redirect_uri=" + URLEncoder.encode(back, StandardCharsets.UTF_8)
                    + "&client_id=" + URLEncoder.encode(config.clientId(), StandardCharsets.UTF_8), clear);
        } else if (rd != null) {
            // A rejected target falls back to "/", never to the given URL.
            Responses.redirect(ctx, checked.target().orElse("/"), clear);
        } else {
            Responses.page(ctx, 200, "Signed out", "You are signed out.", clear);
        }
    }
}
