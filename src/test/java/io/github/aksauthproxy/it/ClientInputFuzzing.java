package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.fuzz.ClientValues;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Properties of the service's real HTTP interface, whatever a client sends in the places it parses (cookies and their
 * chunks, {@code Authorization: Bearer}, {@code profile}, {@code rd}, the forwarded headers of a trusted proxy): an
 * answer within {@link RawExchange#ANSWER_WITHIN_MILLIS}, never a 5xx, no exception escaping a handler (in the log),
 * a 200 only for the unchanged session or bearer token, every redirect on this host or an allowed one, and no secret
 * in an answer or a log line. Subclasses start the service in one session store and name the valid values.
 */
abstract class ClientInputFuzzing {
    static final String ALLOWED_REDIRECT_DOMAINS = "app.example.com,.example.org";
    /** The service's environment for fuzzing: the test's loopback address is a trusted proxy, no rate limit gets in the way. */
    static final Map<String, String> SETTINGS = Map.of("AKS_AUTH_PROXY_TRUSTED_PROXIES", "127.0.0.1/32",
            "AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS", ALLOWED_REDIRECT_DOMAINS, "AKS_AUTH_PROXY_AUTH_RATE_BURST", "0",
            "AKS_AUTH_PROXY_SIGN_IN_RATE_BURST", "0");
    /** Headers that legitimately hold a secret in an answer: the token of a 200 and cookies being set. */
    private static final List<String> SECRET_BEARING = List.of("Authorization", "X-Auth-Request-Access-Token", "Set-Cookie");
    private static final Pattern HREF = Pattern.compile("href=\"([^\"]*)\"");
    static final String SESSION = SignInFlowTest.SESSION;

    /** What a subclass started: the service, its valid values, and the secrets no answer or log line may hold. */
    record Target(ServiceUnderTest service, EntraStandIn idp, List<String> sessions, String bearer, LogScanner.Prepared secrets,
                  SessionOracle oracle) {
        int publicPort() {
            return service.config.publicPort();
        }

        int internalPort() {
            return service.config.internalPort();
        }

        String origin() {
            return service.publicUrl;
        }
    }

    /** Which session, if any, the store would read from these cookies: the test's model of the store, not its code. */
    interface SessionOracle {
        /** True when the cookies carry a valid session unchanged in every authenticated byte. */
        boolean valid(Map<String, String> cookies);

        /** True when the store would find no session cookie at all (only then is a bearer token looked at). */
        boolean missing(Map<String, String> cookies);
    }

    abstract Target target();

    /** Stops the service, the stand-in and {@code more}, and removes the temporary directory. */
    static void stop(Target target, java.nio.file.Path dir, AutoCloseable... more) throws Exception {
        try {
            if (target != null) {
                target.service().close();
                target.idp().close();
            }
            for (AutoCloseable c : more) {
                if (c != null) {
                    c.close();
                }
            }
        } finally {
            try (var files = java.nio.file.Files.walk(dir)) {
                for (java.nio.file.Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Cookie headers: valid session cookies, damaged ones, forged and junk values, under the service's and other names. */
    @Provide
    Arbitrary<String> cookieHeaders() {
        Arbitrary<String> anyValue = Arbitraries.oneOf(ClientValues.junk(), ClientValues.forged());
        Arbitrary<List<Tuple.Tuple2<String, String>>> named = Combinators.combine(Arbitraries.of(SESSION, SESSION + "_0", SESSION + "_1",
                SESSION + "_9", SESSION + "-seen", SESSION + "-login-x", "app", SESSION + " ", "\"" + SESSION + "\""), anyValue)
                .as((n, v) -> List.of(Tuple.of(n, v)));
        Arbitrary<List<Tuple.Tuple2<String, String>>> junk = Combinators.combine(ClientValues.junk(), anyValue).as((n, v) -> List.of(Tuple.of(n, v)));
        Arbitrary<List<Tuple.Tuple2<String, String>>> part = Arbitraries.frequencyOf(Tuple.of(6, sessionCookies()), Tuple.of(2, named), Tuple.of(1, junk));
        Arbitrary<String> separator = Arbitraries.of("; ", ";", " ; ", ", ", ";;");
        return Combinators.combine(part.list().ofMaxSize(3), separator).as((parts, sep) ->
                String.join(sep, parts.stream().flatMap(List::stream).map(p -> p.get1() + "=" + p.get2()).toList()));
    }

    /** The session cookie (or its chunks) as issued, with one change, or rearranged. */
    Arbitrary<List<Tuple.Tuple2<String, String>>> sessionCookies() {
        Target t = target();
        String single = t.sessions().get(0);
        return Arbitraries.oneOf(Arbitraries.just(List.of(Tuple.of(SESSION, single))),
                ClientValues.tampered(single, t.sessions().subList(1, t.sessions().size())).map(v -> List.of(Tuple.of(SESSION, v))));
    }

    @Provide
    Arbitrary<List<Map.Entry<String, String>>> authorizations() {
        String bearer = target().bearer();
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.just("Bearer " + bearer),
                ClientValues.tampered(bearer, List.of()).map(v -> "Bearer " + v),
                ClientValues.forged().map(v -> "Bearer " + v),
                Arbitraries.of("bearer ", "Bearer", "Basic YWxpY2U6c2VjcmV0", "Bearer  " + bearer, "BEARER " + bearer, "Bearer " + bearer + " x",
                        "Bearer a.b.c", "Bearer ..", "Negotiate x"),
                ClientValues.junk());
        return value.list().ofMaxSize(2).map(values -> values.stream().map(v -> Map.entry("Authorization", v)).toList());
    }

    @Provide
    Arbitrary<String> profiles() {
        return Arbitraries.oneOf(Arbitraries.of("", "?profile=aks", "?profile=aks&profile=aks", "?profile=", "?profile=AKS", "?profile=aks%00",
                        "?redirect=browser", "?profile=aks&redirect=browser", "/extra/path?profile=aks", "?profile=%zz", "?profile=aks#frag"),
                ClientValues.junk().map(p -> "?profile=" + URLEncoder.encode(p, StandardCharsets.UTF_8)),
                Arbitraries.strings().withCharRange('!', '~').ofMaxLength(30).map(p -> "?profile=" + p));
    }

    /** What a trusted proxy forwards (the test connects from 127.0.0.1, a trusted address), and what any client adds. */
    @Provide
    Arbitrary<List<Map.Entry<String, String>>> forwardedHeaders() {
        Arbitrary<String> name = Arbitraries.of("X-Forwarded-Uri", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-For",
                "X-Forwarded-Method", "X-Real-IP", "Forwarded", "X-Original-URL", "X-Original-Method", "X-Auth-Request-Redirect",
                "X-Request-ID", "User-Agent", "Accept", "X-Auth-Request-User", "X_Auth_Request_User");
        Arbitrary<String> value = Arbitraries.oneOf(ClientValues.redirectTargets(), ClientValues.junk(),
                Arbitraries.of("text/html", "TEXT/HTML;q=0.9", "https", "http", "app.example.com", "evil.example", "app.example.com:443",
                        "127.0.0.1", "::1", "[::1]", "10.1", "1.2.3.4.5", "fe80::1%eth0", "999.1.1.1", "for=1.2.3.4;proto=https", "alice"));
        return Combinators.combine(name, value).as(Map::entry).list().ofMaxSize(6)
                .map(l -> l.stream().map(e -> Map.<String, String>entry(e.getKey(), e.getValue())).toList());
    }

    @Property(tries = 400)
    void authSubrequestAnswersEveryInputWithinBoundsAndOnlyAValidSessionOrTokenGets200(@ForAll("cookieHeaders") String cookie,
            @ForAll("authorizations") List<Map.Entry<String, String>> authorization, @ForAll("profiles") String query,
            @ForAll("forwardedHeaders") List<Map.Entry<String, String>> forwarded) {
        Target t = target();
        List<Map.Entry<String, String>> headers = new ArrayList<>(forwarded);
        headers.addAll(authorization);
        if (!cookie.isEmpty()) {
            headers.add(Map.entry("Cookie", cookie));
        }
        try (LogCapture logs = new LogCapture()) {
            RawExchange.Answer a = RawExchange.send(t.internalPort(), "GET", "/oauth2/auth" + query, headers);
            checkAnswer(a, headers, "/oauth2/auth" + query, logs);
            Map<String, String> cookies = cookies(cookie);
            if (a.status() == 200) {
                boolean bearerOk = t.oracle().missing(cookies) && authorization.size() == 1 && validBearer(authorization.get(0).getValue());
                assertThat(t.oracle().valid(cookies) || bearerOk).as("a 200 only for a valid session or bearer token").isTrue();
                assertThat(a.header("Authorization")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer "));
            }
            if (a.status() == 302) {
                String location = a.header("Location").orElseThrow();
                assertThat(location).startsWith("/oauth2/start");
                rdOf(location).ifPresent(rd -> assertSafeTarget(rd, t.origin()));
            }
        }
    }

    @Property(tries = 150)
    void userPagesShowASessionOnlyForAValidOne(@ForAll("cookieHeaders") String cookie, @ForAll("forwardedHeaders") List<Map.Entry<String, String>> forwarded,
            @ForAll("userPages") String page) {
        Target t = target();
        List<Map.Entry<String, String>> headers = new ArrayList<>(forwarded);
        headers.add(Map.entry("Cookie", cookie));
        try (LogCapture logs = new LogCapture()) {
            RawExchange.Answer a = RawExchange.send(t.publicPort(), "GET", page, headers);
            // The page the ingress shows for a failed auth subrequest is itself a 503 (with Retry-After), as asked.
            checkAnswer(a.status() == 503 && page.startsWith("/oauth2/error?status=503") && a.header("Retry-After").isPresent()
                    ? new RawExchange.Answer(200, a.head(), a.body()) : a, headers, page, logs);
            if (a.status() == 200 && !page.startsWith("/oauth2/error")) {
                assertThat(t.oracle().valid(cookies(cookie))).as("a signed-in page only for a valid session").isTrue();
            }
            // A link to /oauth2/start on this host is safe whatever its rd: the start validates rd again.
            for (String link : links(a)) {
                assertSafeTarget(link, t.origin());
            }
        }
    }

    @Provide
    Arbitrary<String> userPages() {
        return Arbitraries.oneOf(Arbitraries.of("/oauth2/userinfo", "/oauth2/whoami", "/oauth2/error?status=403", "/oauth2/error?status=503"),
                Combinators.combine(Arbitraries.of("403", "503", "500", ""), ClientValues.redirectTargets(),
                        Arbitraries.of("", "&code=AADSTS50105", "&code=AADSTS<b>", "&code=" + "9".repeat(50)))
                        .as((status, rd, code) -> "/oauth2/error?status=" + status + "&rd=" + URLEncoder.encode(rd, StandardCharsets.UTF_8) + code));
    }

    /**
     * What holds for every answer: one came (or the connection was closed because HTTP itself forbids the request), it
     * is not a 5xx, it holds no secret outside the headers meant for one, and nothing in the log says a handler failed
     * or holds a secret or a token.
     */
    void checkAnswer(RawExchange.Answer a, List<Map.Entry<String, String>> headers, String target, LogCapture logs) {
        if (a.status() == 0) {
            assertThat(malformed(headers, target)).as("the connection closed without an answer to a well-formed request: " + a.head()).isTrue();
        }
        assertThat(a.status()).as("no 5xx").isLessThan(500);
        assertThat(target().secrets().scan(List.of(a.textWithout(SECRET_BEARING))))
                .as("secrets in the answer").filteredOn(l -> !l.hint().startsWith("a JWT")).isEmpty();
        assertThat(logs.unhandled()).as("log lines of a failed request").isEmpty();
        assertThat(target().secrets().scan(logs.lines())).as("secrets or tokens in the log").isEmpty();
    }

    /** A request HTTP/1.1 forbids (control characters, a header or line longer than the service reads): closing on it is fair. */
    static boolean malformed(List<Map.Entry<String, String>> headers, String target) {
        Predicate<String> forbidden = s -> s.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f) || s.length() > 16_000;
        return forbidden.test(target) || target.contains(" ") || headers.stream().anyMatch(h -> forbidden.test(h.getKey()) || forbidden.test(h.getValue())
                || h.getKey().isEmpty() || !h.getKey().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+"));
    }

    /** The request's cookies as the service reads them: split at ';', trimmed, quotes removed, the first of a name wins. */
    static Map<String, String> cookies(String header) {
        Map<String, String> cookies = new LinkedHashMap<>();
        for (String part : header.replace("\r", "").replace("\n", "").split(";")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String value = part.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            cookies.putIfAbsent(part.substring(0, eq).trim(), value);
        }
        return cookies;
    }

    boolean validBearer(String authorization) {
        String token = authorization.replace("\r", "").replace("\n", "");
        if (token.length() < 8 || !token.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return ClientValues.sameBytes(target().bearer(), token.substring(7).trim(), 2, s -> new com.nimbusds.jose.util.Base64URL(s).decode());
    }

    /** The decoded {@code rd} of a sign-in link, if it has one. */
    static Optional<String> rdOf(String location) {
        int q = location.indexOf("rd=");
        return q < 0 ? Optional.empty() : Optional.of(URLDecoder.decode(location.substring(q + 3), StandardCharsets.UTF_8));
    }

    /** Every link of an HTML answer, unescaped. */
    static List<String> links(RawExchange.Answer a) {
        List<String> links = new ArrayList<>();
        Matcher m = HREF.matcher(a.body());
        while (m.find()) {
            links.add(m.group(1).replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"));
        }
        return links;
    }

    /**
     * Where a browser may be sent: a path on this host (never {@code //host} or {@code /\host}, which browsers read as
     * another host), or an absolute http(s) URL on an allowed host, in the form a browser reads as the same URL.
     */
    static void assertSafeTarget(String target, String origin) {
        assertThat(target).as("redirect target").doesNotContain("\\").matches("[\\x21-\\x7e]+");
        URI uri;
        try {
            uri = new URI(target);
        } catch (URISyntaxException e) {
            throw new AssertionError("not a legal URI: " + target, e);
        }
        if (!uri.isAbsolute()) {
            assertThat(target).as("a path on this host").startsWith("/").doesNotStartWith("//");
            assertThat(URI.create(origin + "/oauth2/callback").resolve(uri).getRawAuthority()).isEqualTo(URI.create(origin).getRawAuthority());
            return;
        }
        assertThat(uri.getScheme()).isIn("https", "http");
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        assertThat(host.equals("app.example.com") || host.equals("example.org") || host.endsWith(".example.org"))
                .as("host of %s is allowed", target).isTrue();
        assertThat(uri.getRawUserInfo()).as("userinfo of %s", target).isNull();
    }
}
