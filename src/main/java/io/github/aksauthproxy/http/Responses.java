package io.github.aksauthproxy.http;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Collection;

/** Writing the few kinds of responses the service gives: redirects, small HTML pages, JSON. */
final class Responses {
    private Responses() {
    }

    static void redirect(RoutingContext ctx, String location, Collection<Cookie> cookies) {
        HttpServerResponse r = ctx.response();
        cookies.forEach(r::addCookie);
        r.setStatusCode(302).putHeader(HttpHeaders.LOCATION, location).putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end();
    }

    static void page(RoutingContext ctx, int status, String title, String message, Collection<Cookie> cookies) {
        document(ctx, status, html(title, message), cookies);
    }

    /** A whole HTML document, with the headers every page of the service carries (no scripts, no caching). */
    static void document(RoutingContext ctx, int status, String html, Collection<Cookie> cookies) {
        HttpServerResponse r = ctx.response();
        cookies.forEach(r::addCookie);
        r.setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .putHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
                .putHeader("X-Content-Type-Options", "nosniff")
                .end(html);
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(body.encode());
    }

    static String html(String title, String message) {
        return PageLayout.document(title, "<h1>" + escape(title) + "</h1><p>" + escape(message) + "</p>");
    }

    /** An error page a person meets: what happened, what to do next, and the request id to quote. */
    static void error(RoutingContext ctx, ErrorPage page, Collection<Cookie> cookies) {
        if (page.retryAfterSeconds() > 0) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(page.retryAfterSeconds()));
        }
        document(ctx, page.status(), page.html(), cookies);
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
