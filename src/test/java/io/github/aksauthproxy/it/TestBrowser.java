package io.github.aksauthproxy.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * A browser as far as sign-in needs one: follows redirects itself (across the service and the IdP) and keeps the
 * service's cookies, honouring Max-Age=0 deletions. The service runs on plain loopback HTTP, so the Secure
 * attribute is recorded but not enforced here.
 */
final class TestBrowser {
    private final HttpClient http;
    final Map<String, String> cookies = new LinkedHashMap<>();
    final List<HttpResponse<String>> history = new ArrayList<>();
    /** Sent with every request, like a browser's {@code Accept}. */
    final Map<String, String> defaultHeaders = new LinkedHashMap<>();
    /** Headers sent with every request to the service, as an ingress would add them (X-Real-IP, X-Request-ID...). */
    final Map<String, String> headers = new LinkedHashMap<>();

    TestBrowser(SSLContext trust) {
        // HTTP/1.1 as browsers speak it over plain http: the JDK's h2c upgrade would be tunnelled by Caddy to the app.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trust).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** One request, no redirect following; cookies from the response are kept. */
    HttpResponse<String> get(String url) {
        return send(builder(url).GET(), url);
    }

    HttpResponse<String> get(String url, Map<String, String> headers) {
        HttpRequest.Builder b = builder(url).GET();
        headers.forEach(b::setHeader);
        return send(b, url);
    }

    HttpResponse<String> post(String url) {
        return send(builder(url).POST(HttpRequest.BodyPublishers.noBody()), url);
    }

    /** Follows redirects until a non-redirect answer (at most 10 hops). */
    HttpResponse<String> follow(String url) {
        HttpResponse<String> r = get(url);
        for (int i = 0; i < 10 && r.statusCode() / 100 == 3; i++) {
            r = get(r.uri().resolve(location(r)).toString());
        }
        return r;
    }

    /** Follows redirects while they stay away from {@code stopAtPrefix}; returns the URL that starts with it. */
    String followUntil(String url, String stopAtPrefix) {
        HttpResponse<String> r = get(url);
        for (int i = 0; i < 10; i++) {
            if (r.statusCode() / 100 != 3) {
                throw new AssertionError("expected a redirect towards " + stopAtPrefix + " but got " + r.statusCode() + " at " + r.uri());
            }
            String next = r.uri().resolve(location(r)).toString();
            if (next.startsWith(stopAtPrefix)) {
                return next;
            }
            r = get(next);
        }
        throw new AssertionError("too many redirects");
    }

    static String location(HttpResponse<String> r) {
        return r.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location in " + r.statusCode()));
    }

    String cookieHeader() {
        return cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; "));
    }

    private HttpRequest.Builder builder(String url) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        defaultHeaders.forEach(b::setHeader);
        return b;
    }

    private HttpResponse<String> send(HttpRequest.Builder b, String url) {
        if (!cookies.isEmpty() && isService(url)) {
            b.header("Cookie", cookieHeader());
        }
        if (isService(url)) {
            headers.forEach(b::setHeader);
        }
        try {
            HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            history.add(r);
            rememberSecrets(r);
            if (isService(url)) {
                for (String setCookie : r.headers().allValues("Set-Cookie")) {
                    keep(setCookie);
                }
            }
            return r;
        } catch (Exception e) {
            throw new AssertionError("request to " + url + " failed", e);
        }
    }

    /** Tokens, cookie values and codes this browser saw, for {@link LogsHoldNoSecretsTest}. */
    private static void rememberSecrets(HttpResponse<String> r) {
        r.headers().firstValue("Authorization").map(v -> v.replaceFirst("^Bearer ", "")).ifPresent(SecretsSeen::add);
        r.headers().firstValue("X-Auth-Request-Access-Token").ifPresent(SecretsSeen::add);
        for (String setCookie : r.headers().allValues("Set-Cookie")) {
            String pair = setCookie.split(";")[0];
            SecretsSeen.add(pair.substring(pair.indexOf('=') + 1).trim());
        }
        r.headers().firstValue("Location").ifPresent(l -> SecretsSeen.addQueryFields(r.uri().resolve(l)));
    }

    /** Only the service's own cookies are kept; the stand-in IdP is another site. */
    private static boolean isService(String url) {
        return url.startsWith("http://");
    }

    private void keep(String setCookie) {
        String[] parts = setCookie.split(";");
        int eq = parts[0].indexOf('=');
        String name = parts[0].substring(0, eq).trim();
        String value = parts[0].substring(eq + 1).trim();
        Optional<String> maxAge = java.util.Arrays.stream(parts).map(String::trim).filter(p -> p.toLowerCase().startsWith("max-age="))
                .map(p -> p.substring(8)).findFirst();
        if (maxAge.isPresent() && Long.parseLong(maxAge.get()) <= 0) {
            cookies.remove(name);
        } else {
            cookies.put(name, value);
        }
    }
}
