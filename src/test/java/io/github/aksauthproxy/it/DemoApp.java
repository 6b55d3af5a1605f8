package io.github.aksauthproxy.it;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * The demo's protected app: shows who the ingress says the user is (the identity headers) and the decoded header and
 * claims of the token it was handed. Never the raw token: a page that printed it would hand it to anyone looking.
 */
final class DemoApp {
    private DemoApp() {
    }

    static HttpServer start(Vertx vertx, int port) {
        return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port).setMaxHeaderSize(64 * 1024))
                .requestHandler(req -> req.response().putHeader("Content-Type", "text/html; charset=utf-8")
                        .putHeader("Cache-Control", "no-store").end(page(req)))
                .listen().await();
    }

    static String page(HttpServerRequest req) {
        Map<String, String> identity = new TreeMap<>();
        req.headers().forEach(h -> {
            if (h.getKey().toLowerCase(java.util.Locale.ROOT).startsWith("x-auth-request-")) {
                identity.put(h.getKey(), h.getValue());
            }
        });
        String user = req.getHeader("X-Auth-Request-User");
        StringBuilder html = new StringBuilder("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>aks-auth-proxy demo</title>"
                + "<style>body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
                + "td,th{text-align:left;padding:.2em .6em;border-bottom:1px solid #ddd;vertical-align:top}"
                + "pre{background:#f4f4f4;padding:1em;overflow:auto}</style></head><body><main>");
        html.append("<h1 id=\"signed-in\">Signed in as ").append(esc(user == null ? "(nobody)" : user)).append("</h1>");
        if (req.path().startsWith(Demo.RBAC_APP)) {
            html.append("<p id=\"rbac-app\">This page is the RBAC-gated app. NGINX asked aks-auth-proxy with <code>?profile=rbac</code>, ")
                    .append("and the Kubernetes API server answered that you may get services/proxy grafana in the monitoring ")
                    .append("namespace: a SelfSubjectAccessReview made with your own AKS token.</p>");
        } else {
            html.append("<p>This page is the protected app. NGINX asked aks-auth-proxy about this request and passed on what it answered. ")
                    .append("<a href=\"").append(Demo.RBAC_APP).append("\">The RBAC-gated app</a> lets in only whom the cluster allows; ")
                    .append("<a href=\"/oauth2/whoami\">Who am I</a> shows what the cluster sees.</p>");
        }
        html.append("<h2>Identity headers</h2><table>");
        identity.forEach((k, v) -> html.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>"));
        html.append("</table><h2>The token this app received</h2>");
        String authorization = req.getHeader("Authorization");
        if (authorization == null || !authorization.startsWith("Bearer ") || authorization.split("\\.").length != 3) {
            html.append("<p>No bearer token.</p>");
        } else {
            String[] parts = authorization.substring(7).split("\\.");
            html.append("<p><code>Authorization: Bearer</code> with a token of ").append(authorization.length() - 7)
                    .append(" characters (not shown). Decoded, not verified; the Kubernetes API server verifies it:</p>")
                    .append("<h3>Header</h3><pre id=\"token-header\">").append(esc(decode(parts[0]))).append("</pre>")
                    .append("<h3>Claims</h3><pre id=\"token-claims\">").append(esc(decode(parts[1]))).append("</pre>");
        }
        html.append("<p><a href=\"/oauth2/sign_out?rd=/\">Sign out</a></p></main></body></html>");
        return html.toString();
    }

    private static String decode(String part) {
        try {
            return new JsonObject(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8)).encodePrettily();
        } catch (RuntimeException e) {
            return "(not JSON)";
        }
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
