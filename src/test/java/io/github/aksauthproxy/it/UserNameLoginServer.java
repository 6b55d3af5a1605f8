package io.github.aksauthproxy.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import kotlin.jvm.functions.Function1;
import no.nav.security.mock.oauth2.http.MockWebServerWrapper;
import no.nav.security.mock.oauth2.http.OAuth2HttpRequest;
import no.nav.security.mock.oauth2.http.OAuth2HttpResponse;
import no.nav.security.mock.oauth2.http.OAuth2HttpServer;
import no.nav.security.mock.oauth2.http.Ssl;
import okhttp3.HttpUrl;

/**
 * mock-oauth2-server's HTTP server, with its interactive login page made Entra-shaped: whatever user name is typed,
 * the login form is given the claims Entra would put in that user's tokens ({@code oid} and {@code tid}, which the
 * service requires, {@code preferred_username}, {@code name}, {@code groups}). The object id is a UUID derived from
 * the name, so the same name is the same user every time. mock-oauth2-server adds a login's claims to every token
 * minted from that sign-in, refreshes included.
 */
final class UserNameLoginServer implements OAuth2HttpServer {
    private final MockWebServerWrapper delegate;
    private final String tenant;

    UserNameLoginServer(Ssl ssl, String tenant) {
        this.delegate = new MockWebServerWrapper(ssl);
        this.tenant = tenant;
    }

    /** The server underneath, where the stand-in puts its secrets recorder. */
    okhttp3.mockwebserver.MockWebServer mockWebServer() {
        return delegate.getMockWebServer();
    }

    static JsonObject claimsFor(String userName, String tenant) {
        String name = userName.trim();
        String upn = name.contains("@") ? name : name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9._-]", ".") + "@contoso.example";
        return new JsonObject()
                .put("oid", UUID.nameUUIDFromBytes(("oid:" + upn).getBytes(StandardCharsets.UTF_8)).toString())
                .put("tid", tenant)
                .put("preferred_username", upn)
                .put("upn", upn)
                .put("name", name)
                .put("groups", new JsonArray()
                        .add(UUID.nameUUIDFromBytes("group:demo-users".getBytes(StandardCharsets.UTF_8)).toString())
                        .add(UUID.nameUUIDFromBytes(("group:" + upn).getBytes(StandardCharsets.UTF_8)).toString()));
    }

    private OAuth2HttpRequest shaped(OAuth2HttpRequest request) {
        if (!"POST".equals(request.getMethod()) || !request.getUrl().encodedPath().endsWith("/authorize") || request.getBody() == null) {
            return request;
        }
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : request.getBody().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String user = form.get("username");
        if (user == null || user.isBlank()) {
            return request;
        }
        form.put("claims", claimsFor(user, tenant).encode());
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return new OAuth2HttpRequest(request.getHeaders(), request.getMethod(), request.getOriginalUrl(), body.toString());
    }

    private Function1<OAuth2HttpRequest, OAuth2HttpResponse> wrap(Function1<? super OAuth2HttpRequest, OAuth2HttpResponse> handler) {
        return request -> handler.invoke(shaped(request));
    }

    @Override
    public OAuth2HttpServer start(Function1<? super OAuth2HttpRequest, OAuth2HttpResponse> handler) {
        delegate.start(wrap(handler));
        return this;
    }

    @Override
    public OAuth2HttpServer start(int port, Function1<? super OAuth2HttpRequest, OAuth2HttpResponse> handler) {
        delegate.start(port, wrap(handler));
        return this;
    }

    @Override
    public OAuth2HttpServer start(InetAddress address, int port, Function1<? super OAuth2HttpRequest, OAuth2HttpResponse> handler) {
        delegate.start(address, port, wrap(handler));
        return this;
    }

    @Override
    public OAuth2HttpServer stop() {
        delegate.stop();
        return this;
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public int port() {
        return delegate.port();
    }

    @Override
    public HttpUrl url(String path) {
        return delegate.url(path);
    }

    @Override
    public Ssl sslConfig() {
        return delegate.sslConfig();
    }
}
