package io.github.aksauthproxy.sidecar;

import io.vertx.core.http.HttpServerRequest;
import java.util.Locale;

/**
 * What of a client's request target reaches the upstream: the path and the query, after the upstream's base path.
 * Never the scheme and authority of an absolute-form target ({@code GET http://evil.example/x}, RFC 9112 section
 * 3.2.2), and never a path that leaves the prefix once the upstream resolves its dot segments.
 */
final class RequestTarget {
    /** How often an upstream (or a chain of them) might percent-decode a path before resolving it. */
    private static final int DECODE_ROUNDS = 3;

    private RequestTarget() {
    }

    /** The URI the upstream gets: its base path, then the request's path and query as the client wrote them. */
    static String upstreamUri(String basePath, HttpServerRequest request) {
        String query = request.query();
        return basePath + request.path() + (query == null ? "" : "?" + query);
    }

    /**
     * Whether a segment of the path is {@code .} or {@code ..} to some upstream: after percent-decoding (a
     * double-encoded {@code %252e} too), with {@code \} read as {@code /}, and without its {@code ;parameters}
     * (servlet containers drop them before resolving, so {@code /api/..;/admin} is {@code /admin} to them).
     */
    static boolean hasDotSegment(String rawPath) {
        String p = rawPath.toLowerCase(Locale.ROOT);
        for (int i = 0; i < DECODE_ROUNDS && p.contains("%25"); i++) {
            p = p.replace("%25", "%");
        }
        p = p.replace("%2e", ".").replace("%2f", "/").replace("%5c", "/").replace("%3b", ";").replace('\\', '/');
        for (String segment : p.split("/", -1)) {
            int parameters = segment.indexOf(';');
            String name = parameters < 0 ? segment : segment.substring(0, parameters);
            if (name.equals(".") || name.equals("..")) {
                return true;
            }
        }
        return false;
    }
}
