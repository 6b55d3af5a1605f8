package io.github.aksauthproxy.http;

import io.github.aksauthproxy.config.Config;
import io.github.aksauthproxy.oidc.ProviderMetadata;
import io.github.aksauthproxy.redirect.RedirectValidator;
import io.github.aksauthproxy.session.SessionStore;
import io.github.aksauthproxy.token.TokenService;
import io.vertx.core.Future;
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
 * {@code GET|POST /oauth2/sign_out?rd=}: ends the session (in the redis store for every replica, so any copy of the
 * cookie gets 401), clears its cookies in this browser and drops its cached tokens, then returns to the validated
 * {@code rd}, or, when configured, goes on to Entra's end-session endpoint with that target as
 * {@code post_logout_redirect_uri}. When the store cannot end the session: 503, the cookie kept.
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
        // The answer is settled before the session is ended, so nothing can fail between the end of the session, the
        // logout audit event and the cookies being cleared.
        Optional<String> location = location(ctx.request().getParam("rd"));
        List<Cookie> clear = sessions.clear(cookies);
        Stages.on(ctx, sessions.load(cookies))
                .compose(loaded -> loaded.ok() ? Stages.on(ctx, sessions.end(loaded.session())).map(loaded) : Future.succeededFuture(loaded))
                .onSuccess(loaded -> {
                    if (loaded.ok()) {
                        tokens.forget(loaded.session().id());
                        LOG.atInfo().addKeyValue("event", "logout").addKeyValue("user", loaded.session().user())
                                .addKeyValue("sid_hash", LogIds.sidHash(loaded.session().id())).log();
                        events.logout(ctx, loaded.session());
                    }
                    location.ifPresentOrElse(l -> Responses.redirect(ctx, l, clear),
                            () -> Responses.page(ctx, 200, "Signed out", "You are signed out.", clear));
                })
                // The session could not be ended: the cookie stays, so signing out again can end it once the store is back.
                .onFailure(e -> StoreUnavailableAnswer.page(ctx, e));
    }

    /** Where the browser goes next: Entra's end-session endpoint, the validated {@code rd}, or nowhere (a page). */
    private Optional<String> location(String rd) {
        RedirectValidator.Result checked = redirects.validate(rd);
        if (rd != null && checked.rejected().isPresent()) {
            LOG.atInfo().addKeyValue("event", "redirect.rejected").addKeyValue("where", "sign_out")
                    .addKeyValue("reason", checked.rejected().get().describe()).log();
        }
        // A rejected target falls back to "/", never to the given URL.
        String target = checked.target().orElse("/");
        Optional<URI> endSession = config.idpSignOut() ? metadata.get().flatMap(ProviderMetadata::endSessionEndpoint) : Optional.empty();
        if (endSession.isPresent()) {
            // An accepted target is a legal URI (RedirectValidator), so resolving it cannot fail.
            String back = config.redirectUrl().resolve(target).toString();
            String sep = endSession.get().getRawQuery() == null ? "?" : "&";
            return Optional.of(endSession.get() + sep + "post_logout_redirect_uri=" + URLEncoder.encode(back, StandardCharsets.UTF_8)
                    + "&client_id=" + URLEncoder.encode(config.clientId(), StandardCharsets.UTF_8));
        }
        return rd == null ? Optional.empty() : Optional.of(target);
    }
}
