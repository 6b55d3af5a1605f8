package io.github.aksauthproxy.bench;

import io.github.aksauthproxy.config.CookieKey;
import io.github.aksauthproxy.session.CookieCodec;
import io.github.aksauthproxy.session.CookieNames;
import io.github.aksauthproxy.session.Session;
import io.github.aksauthproxy.session.SessionCookieStore;
import io.github.aksauthproxy.session.SessionStore;
import io.vertx.core.http.Cookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * Sessions for the benchmarks. {@link #signIn} is a real sign-in (start, the IdP's authorize endpoint, callback),
 * as a browser does it. {@link Minter} makes many more sessions without the IdP: cookies encrypted with the
 * service's own classes and configured key, each with its own session id and the refresh token of one real sign-in
 * (the stand-in IdP accepts it again and again, like Entra within its lifetime), so each session's token is minted
 * by a real refresh-token request.
 */
final class SignIns {
    private final HttpClient http;
    private final String publicUrl;

    SignIns(SSLContext idpTrust, String publicUrl) {
        this.http = HttpClient.newBuilder().sslContext(idpTrust).followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        this.publicUrl = publicUrl;
    }

    /** One whole sign-in; returns the browser's cookies for the service (the session cookie among them). */
    Map<String, String> signIn() throws Exception {
        Map<String, String> cookies = new LinkedHashMap<>();
        HttpResponse<Void> start = get(publicUrl + "/oauth2/start?rd=%2F", cookies);
        HttpResponse<Void> authorize = get(redirect(start, 302), Map.of());
        HttpResponse<Void> callback = get(redirect(authorize, 302), cookies);
        redirect(callback, 302);
        if (!cookies.containsKey(new CookieNames(Optional.empty()).session())) {
            throw new IllegalStateException("the callback set no session cookie; see the service log");
        }
        return cookies;
    }

    static String cookieHeader(Map<String, String> cookies) {
        return cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; "));
    }

    private HttpResponse<Void> get(String url, Map<String, String> cookies) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (!cookies.isEmpty()) {
            b.header("Cookie", cookieHeader(cookies));
        }
        HttpResponse<Void> r = http.send(b.build(), HttpResponse.BodyHandlers.discarding());
        if (cookies instanceof LinkedHashMap) {
            for (String set : r.headers().allValues("set-cookie")) {
                String pair = set.split(";", 2)[0];
                int eq = pair.indexOf('=');
                String value = pair.substring(eq + 1);
                if (set.toLowerCase().contains("max-age=0") || value.isEmpty()) {
                    cookies.remove(pair.substring(0, eq));
                } else {
                    cookies.put(pair.substring(0, eq), value);
                }
            }
        }
        return r;
    }

    private static String redirect(HttpResponse<?> r, int status) {
        if (r.statusCode() != status) {
            throw new IllegalStateException("sign-in step " + r.uri() + " answered " + r.statusCode() + ", expected " + status);
        }
        return r.uri().resolve(r.headers().firstValue("location").orElseThrow()).toString();
    }

    /** Makes session cookies like the service's own: same key, same classes, a distinct session id each. */
    static final class Minter {
        private final SessionStore store;
        private final Session template;

        Minter(String base64Key, Duration idleTimeout, Map<String, String> signedInCookies) {
            CookieCodec codec = new CookieCodec(List.of(CookieKey.of(Base64.getDecoder().decode(base64Key))));
            this.store = new SessionCookieStore(codec, new CookieNames(Optional.empty()), Clock.systemUTC(), idleTimeout);
            SessionStore.Loaded loaded = store.load(signedInCookies).toCompletableFuture().join();
            if (!loaded.ok()) {
                throw new IllegalStateException("the signed-in session cookie did not load: " + loaded.rejected());
            }
            this.template = loaded.session();
        }

        /** A {@code Cookie} header value for a new session of the signed-in user. */
        String newSessionCookie() {
            Instant now = Instant.now();
            // A session id like the service's own (32 random bytes, base64url): the footprint weighs it.
            byte[] id = new byte[32];
            ThreadLocalRandom.current().nextBytes(id);
            Session s = new Session(Base64.getUrlEncoder().withoutPadding().encodeToString(id), template.oid(), template.tid(), template.user(), template.name(),
                    template.email(), template.groups(), template.refreshToken(), now, now.plus(Duration.ofHours(12)), now);
            List<Cookie> cookies = store.save(s, Map.of()).toCompletableFuture().join().cookies();
            return cookies.stream().map(c -> c.getName() + "=" + c.getValue()).collect(Collectors.joining("; "));
        }
    }
}
