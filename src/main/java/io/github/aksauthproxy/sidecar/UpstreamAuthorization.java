package io.github.aksauthproxy.sidecar;

import io.github.aksauthproxy.entra.AccessToken;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.HostAndPort;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import java.util.Optional;

/**
 * Rewrites each proxied request for the upstream: the app-only token replaces whatever {@code Authorization}
 * the client sent (a client must never choose the credential the upstream sees), {@code Host} becomes the
 * upstream's, and the upstream's base path goes before the request path. The body is left to stream.
 */
final class UpstreamAuthorization implements ProxyInterceptor {
    private final SidecarToken token;
    private final HostAndPort authority;
    private final String basePath;

    UpstreamAuthorization(SidecarToken token, HostAndPort authority, String basePath) {
        this.token = token;
        this.authority = authority;
        this.basePath = basePath;
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext ctx) {
        ProxyRequest request = ctx.request();
        request.headers().remove(HttpHeaders.AUTHORIZATION);
        request.headers().remove(HttpHeaders.PROXY_AUTHORIZATION);
        Optional<AccessToken> t = token.valid();
        if (t.isEmpty()) {
            // The token ran out between the handler's check and now: answer as the handler would.
            ProxyResponse response = request.response().setStatusCode(503)
                    .putHeader(HttpHeaders.RETRY_AFTER, SidecarRequestHandler.RETRY_AFTER_SECONDS)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .setBody(Body.body(Buffer.buffer(SidecarRequestHandler.NO_TOKEN_BODY)));
            return Future.succeededFuture(response);
        }
        request.putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + t.get().value());
        request.setAuthority(authority);
        request.setURI(basePath + request.getURI());
        return ctx.sendRequest();
    }
}
