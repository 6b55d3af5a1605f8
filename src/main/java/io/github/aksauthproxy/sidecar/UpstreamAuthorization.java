package io.github.aksauthproxy.sidecar;

import io.github.aksauthproxy.entra.AccessToken;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.MultiMap;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyRequest;
import io.vertx.httpproxy.ProxyResponse;
import java.util.List;
import java.util.Optional;

/**
 * Rewrites each proxied request for the upstream: the app-only token replaces whatever {@code Authorization}
 * the client sent (a client must never choose the credential the upstream sees), the target is the upstream's
 * base path and the request's path and query ({@link RequestTarget}), and the client's hop-by-hop and forwarding
 * headers stay here. The body is left to stream. ({@code Host} is the upstream's: {@link SidecarServer} sets it on
 * the upstream request, because setting it here makes vertx-http-proxy add the client's {@code X-Forwarded-Host}.)
 */
final class UpstreamAuthorization implements ProxyInterceptor {
    /** Hop-by-hop (RFC 9110 section 7.6.1, and the old {@code Proxy-Connection}): for this connection only. */
    private static final List<String> HOP_BY_HOP = List.of("Connection", "Proxy-Connection", "Keep-Alive", "TE", "Trailer",
            "Transfer-Encoding", "Upgrade", "Proxy-Authorization", "Proxy-Authenticate");
    /**
     * What a client claims about earlier hops: nobody is in front of the sidecar but the client itself, so the
     * upstream would only learn what the client chose to tell it.
     */
    private static final List<String> FORWARDING = List.of("Forwarded", "X-Real-IP");

    private final SidecarToken token;
    private final String basePath;

    UpstreamAuthorization(SidecarToken token, String basePath) {
        this.token = token;
        this.basePath = basePath;
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext ctx) {
        ProxyRequest request = ctx.request();
        dropHopByHopAndForwarding(request.headers());
        request.headers().remove(HttpHeaders.AUTHORIZATION);
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
        request.setURI(RequestTarget.upstreamUri(basePath, request.proxiedRequest()));
        return ctx.sendRequest();
    }

    /** Also every header the client's {@code Connection} names (RFC 9110 section 7.6.1). */
    private static void dropHopByHopAndForwarding(MultiMap headers) {
        for (String connection : headers.getAll(HttpHeaders.CONNECTION)) {
            for (String name : connection.split(",")) {
                headers.remove(name.trim());
            }
        }
        HOP_BY_HOP.forEach(headers::remove);
        FORWARDING.forEach(headers::remove);
        headers.names().stream().filter(n -> n.regionMatches(true, 0, "X-Forwarded-", 0, "X-Forwarded-".length())).toList()
                .forEach(headers::remove);
    }
}
