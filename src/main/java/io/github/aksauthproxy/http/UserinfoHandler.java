package io.github.aksauthproxy.http;

import io.github.aksauthproxy.session.Session;
import io.github.aksauthproxy.session.SessionStore;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;

/** {@code GET /oauth2/userinfo}: the signed-in identity as JSON. Never a token. */
final class UserinfoHandler implements Handler<RoutingContext> {
    private final SessionStore sessions;

    UserinfoHandler(SessionStore sessions) {
        this.sessions = sessions;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Stages.on(ctx, sessions.load(RequestCookies.of(ctx.request())))
                .onSuccess(loaded -> answer(ctx, loaded))
                .onFailure(e -> StoreUnavailableAnswer.json(ctx, e));
    }

    private static void answer(RoutingContext ctx, SessionStore.Loaded loaded) {
        if (!loaded.ok()) {
            Responses.json(ctx, 401, new JsonObject().put("error", "unauthenticated"));
            return;
        }
        Session s = loaded.session();
        loaded.renewal().forEach(ctx.response()::addCookie);
        Responses.json(ctx, 200, new JsonObject()
                .put("user", s.user()).put("email", s.email()).put("preferred_username", s.user()).put("name", s.name())
                .put("oid", s.oid()).put("tid", s.tid()).put("groups", new JsonArray(new ArrayList<>(s.groups())))
                .put("session_expires_at", s.expiresAt().toString()));
    }
}
