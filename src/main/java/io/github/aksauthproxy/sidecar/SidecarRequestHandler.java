package io.github.aksauthproxy.sidecar;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.httpproxy.HttpProxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request to the sidecar: {@code GET /health}, proxying under the path prefix while a token is valid
 * (503 with {@code Retry-After} when not), 404 elsewhere.
 */
final class SidecarRequestHandler implements Handler<HttpServerRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(SidecarRequestHandler.class);
    static final String RETRY_AFTER_SECONDS = "10";
    static final String NO_TOKEN_BODY = new JsonObject().put("error", "no valid token for the upstream").encode();

    private final SidecarToken token;
    private final HttpProxy proxy;
    private final String pathPrefix;
    private final Clock clock;

    SidecarRequestHandler(SidecarToken token, HttpProxy proxy, String pathPrefix, Clock clock) {
        this.token = token;
        this.proxy = proxy;
        this.pathPrefix = pathPrefix;
        this.clock = clock;
    }

    @Override
    public void handle(HttpServerRequest request) {
        String path = request.path();
        if ("/health".equals(path) && request.method() == HttpMethod.GET) {
            health(request);
            return;
        }
        if (!underPrefix(path)) {
            json(request, 404, new JsonObject().put("error", "not found"));
            return;
        }
        if (RequestTarget.hasDotSegment(path)) {
            // "/api/../admin" would leave the prefix once the upstream normalises it.
            LOG.atWarn().addKeyValue("event", "sidecar.rejected").addKeyValue("reason", "dot segment in path")
                    .addKeyValue("path", SidecarServer.printable(request)).log();
            json(request, 400, new JsonObject().put("error", "bad request"));
            return;
        }
        if (token.valid().isEmpty()) {
            LOG.atWarn().addKeyValue("event", "sidecar.no_token").addKeyValue("path", SidecarServer.printable(request)).log();
            request.response().putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
            request.response().setStatusCode(503).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(NO_TOKEN_BODY);
            return;
        }
        proxy.handle(request);
    }

    private void health(HttpServerRequest request) {
        SidecarToken.Status s = token.status();
        Instant now = clock.instant();
        JsonObject body = new JsonObject()
                .put("status", s.valid() ? "ok" : "unavailable")
                .put("token_valid", s.valid())
                .put("expires_at", s.expiresAt().map(Instant::toString).orElse(null))
                .put("time_to_expiry", s.expiresAt().map(e -> Math.max(0, Duration.between(now, e).toSeconds())).orElse(null))
                .put("last_error", s.lastError().orElse(null))
                .put("timestamp", now.toString());
        json(request, s.valid() ? 200 : 503, body);
    }

    private boolean underPrefix(String path) {
        if (path == null) {
            return false;
        }
        return pathPrefix.endsWith("/") ? path.startsWith(pathPrefix) : path.equals(pathPrefix) || path.startsWith(pathPrefix + "/");
    }

    private static void json(HttpServerRequest request, int status, JsonObject body) {
        request.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(body.encode());
    }
}
