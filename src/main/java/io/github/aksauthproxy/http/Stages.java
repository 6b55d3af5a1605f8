package io.github.aksauthproxy.http;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The domain's {@link CompletionStage}s as Vert.x futures on the request's event loop. A stage that has already
 * succeeded (the cookie store's, a cached token) becomes a completed future whose callbacks run at once; any other
 * completes back on the request's context, whichever thread (a Redis client's, MSAL4J's) completed the stage.
 */
final class Stages {
    private Stages() {
    }

    static <T> Future<T> on(RoutingContext ctx, CompletionStage<T> stage) {
        CompletableFuture<T> f = stage.toCompletableFuture();
        if (f.isDone() && !f.isCompletedExceptionally()) {
            return Future.succeededFuture(f.join());
        }
        return Future.fromCompletionStage(stage, ctx.vertx().getOrCreateContext());
    }
}
