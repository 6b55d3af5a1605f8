package io.github.aksauthproxy.http;

import io.github.aksauthproxy.session.SessionStoreUnavailable;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Answers a request whose session store could not be asked (Redis away): 503 with {@code Retry-After} and no
 * {@code Set-Cookie}, so the browser keeps its cookie and is served again, without signing in, once the store is
 * back. Never 401 (every user sent to Entra at once) and never 200 (a session nobody verified). The cause was logged
 * and counted by the store's client, once per interval. Any other failure is a bug: 500 by the router.
 */
final class StoreUnavailableAnswer {
    private static final String RETRY_AFTER = Integer.toString(SessionStoreUnavailable.RETRY_AFTER_SECONDS);

    private StoreUnavailableAnswer() {
    }

    /** For the ingress's auth subrequest: a short text body. */
    static void plain(RoutingContext ctx, Throwable failure) {
        if (unexpected(ctx, failure)) {
            return;
        }
        ctx.response().putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER);
        AuthSubrequestHandler.plain(ctx.response(), 503, "session store temporarily unavailable");
    }

    /** For a browser: a page saying to try again. */
    static void page(RoutingContext ctx, Throwable failure) {
        page(ctx, failure, List.of());
    }

    /** @param cookies cookies that are not the session's (a finished sign-in attempt's) */
    static void page(RoutingContext ctx, Throwable failure, List<Cookie> cookies) {
        if (unexpected(ctx, failure)) {
            return;
        }
        ctx.response().putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER);
        Responses.page(ctx, 503, "Temporarily unavailable",
                "Your session cannot be checked right now. Please try again in a moment.", cookies);
    }

    /** For a script reading JSON. */
    static void json(RoutingContext ctx, Throwable failure) {
        if (unexpected(ctx, failure)) {
            return;
        }
        ctx.response().putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER);
        Responses.json(ctx, 503, new JsonObject().put("error", "temporarily_unavailable"));
    }

    private static boolean unexpected(RoutingContext ctx, Throwable failure) {
        if (SessionStoreUnavailable.in(failure).isPresent()) {
            return false;
        }
        ctx.fail(failure);
        return true;
    }
}
