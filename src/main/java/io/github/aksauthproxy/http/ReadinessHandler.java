package io.github.aksauthproxy.http;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /readyz}: 200 while the replica is to get traffic ({@link Readiness}), with what it is degraded by, if
 * anything, under {@code degraded}; else 503 with every reason under {@code reasons}. The checks read a file and may
 * fetch discovery and keys, so they run on a worker.
 */
final class ReadinessHandler implements Handler<RoutingContext> {
    private final Readiness readiness;

    ReadinessHandler(Readiness readiness) {
        this.readiness = readiness;
    }

    @Override
    public void handle(RoutingContext ctx) {
        ctx.vertx().executeBlocking(readiness::check, false).onComplete(done -> {
            Readiness.Verdict verdict = done.succeeded() ? done.result()
                    : new Readiness.Verdict(false, List.of("readiness check failed: " + done.cause().getClass().getSimpleName()));
            JsonObject body = new JsonObject().put("ready", verdict.ready());
            if (!verdict.problems().isEmpty()) {
                body.put(verdict.ready() ? "degraded" : "reasons", new JsonArray(new ArrayList<>(verdict.problems())));
            }
            Responses.json(ctx, verdict.ready() ? 200 : 503, body);
        });
    }
}
