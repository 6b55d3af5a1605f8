package io.github.aksauthproxy.http;

import io.vertx.core.http.HttpServerRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The request's cookies by name (first occurrence wins). Never fails on a malformed header. */
final class RequestCookies {
    private RequestCookies() {
    }

    static Map<String, String> of(HttpServerRequest request) {
        Map<String, String> cookies = new LinkedHashMap<>();
        List<String> headers = request.headers().getAll("Cookie");
        for (String header : headers) {
            for (String part : header.split(";")) {
                int eq = part.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String name = part.substring(0, eq).trim();
                String value = part.substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                cookies.putIfAbsent(name, value);
            }
        }
        return cookies;
    }
}
