package io.github.aksauthproxy.http;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /readyz}: 200 when the service can sign people in and mint tokens, else 503 with every reason in
 * the JSON body. The checks read a file and may fetch discovery and keys, so they run on a worker.
 */
final class ReadinessHandler implements Handler<RoutingContext> {
    private final Readiness readiness;

    ReadinessHandler(Readiness readiness) {
        this.readiness = readiness;
    }

    @Override
    public void handle(RoutingContext ctx) {
        ctx.vertx().executeBlocking(readiness::check, false).onComplete(done -> {
            List<String> problems = done.succeeded() ? done.result() : List.of("readiness check failed: " + done.cause().getClass().getSimpleName());
            JsonObject body = new JsonObject().put("ready", problems.isEmpty());
            if (!problems.isEmpty()) {
                body.put("reasons", new JsonArray(new ArrayList<>(problems)));
            }
            Responses.json(ctx, problems.isEmpty() ? 200 : 503, body);
        });
    }
}
