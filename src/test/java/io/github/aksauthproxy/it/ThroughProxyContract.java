package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user of a protected route sees through a real reverse proxy on loopback: the service, the stand-in for Entra,
 * an echo app as the protected upstream, and the proxy in front configured from the shipped file in ingress/.
 * Subclasses start nginx (as ingress-nginx renders it) or Caddy (forward_auth).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ThroughProxyContract {
    static final String SESSION = "__Host-aks-auth-proxy";
    static final String AKS_AUDIENCE = "6dae42f8-4368-4678-94ff-3960e28e3630";

    EntraStandIn idp;
    ServiceUnderTest service;
    EchoUpstream echo;
    ProxyProcess proxy;
    MutableClock clock;

    /** Starts the proxy on {@code port} in front of the service and the echo app. */
    abstract ProxyProcess startProxy(Path dir, int port) throws Exception;

    /** Settings the service needs behind this proxy. */
    abstract Map<String, String> serviceSettings();

    /** The request headers a browser sends (Caddy needs Accept: text/html to redirect to sign-in). */
    abstract Map<String, String> browserHeaders();

    /**
     * True when the proxy removes the service's cookies one by one whatever their number (Caddy's regex replaces
     * every match); false when, past a fixed number, it drops the whole Cookie header instead (nginx).
     */
    abstract boolean stripsAnyNumberOfCookiesExactly();

    /** How the proxy answers a request whose Cookie header alone is 40 KB. */
    abstract int oversizedCookieStatus();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        idp = new EntraStandIn();
        int port = ServiceUnderTest.freePort();
        Map<String, String> env = new HashMap<>(serviceSettings());
        env.put("AKS_AUTH_PROXY_REDIRECT_URL", "http://127.0.0.1:" + port + "/oauth2/callback");
        env.put("AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS", "127.0.0.1:" + port);
        env.put("AKS_AUTH_PROXY_GROUPS_HEADER_LIMIT", "200");
        // 200 group ids are 7,399 bytes: the whole list passes with room for it.
        env.put("AKS_AUTH_PROXY_GROUPS_HEADER_MAX_BYTES", "8192");
        clock = new MutableClock(Instant.now());
        service = ServiceUnderTest.start(idp, dir, clock, env);
        echo = EchoUpstream.start(service.vertx);
        proxy = startProxy(dir, port);
    }

    @AfterAll
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (echo != null) {
            echo.close();
        }
        if (service != null) {
            service.close();
        }
        if (idp != null) {
            idp.close();
        }
    }

    @BeforeEach
    void followRealTime() {
        // The stand-in stamps tokens with the real time; the service's clock must not fall behind it.
        Duration behind = Duration.between(clock.instant(), Instant.now());
        if (!behind.isNegative()) {
            clock.advance(behind);
        }
        idp.claims.signInAs(EntraStandIn.ALICE);
    }

    TestBrowser browser() {
        TestBrowser b = new TestBrowser(idp.trust());
        b.defaultHeaders.putAll(browserHeaders());
        return b;
    }

    /** A browser that signed in through the proxy, landing on {@code path} at the echo app. */
    TestBrowser signedIn(String path) {
        TestBrowser b = browser();
        HttpResponse<String> landed = b.follow(proxy.url + path);
        assertThat(landed.statusCode()).as("landed at the app after sign-in").isEqualTo(200);
        assertThat(landed.headers().firstValue("X-Echo")).hasValue("upstream");
        assertThat(b.cookies).containsKey(SESSION);
        return b;
    }

    static JsonObject echoed(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Echo")).hasValue("upstream");
        return new JsonObject(r.body());
    }

    @Test
    void signInThroughTheProxyGivesTheAppTheUsersAksTokenAndIdentity() throws Exception {
        TestBrowser b = signedIn("/app/pods?ns=default");
        JsonObject seen = echoed(b.get(proxy.url + "/app/pods?ns=default"));
        assertThat(seen.getString("uri")).isEqualTo("/app/pods?ns=default");
        List<String> authorization = EchoUpstream.header(seen, "Authorization");
        assertThat(authorization).hasSize(1);
        assertThat(authorization.get(0)).startsWith("Bearer ");
        JWTClaimsSet token = JWTParser.parse(authorization.get(0).substring(7)).getJWTClaimsSet();
        assertThat(token.getAudience()).containsExactly(AKS_AUDIENCE);
        assertThat(token.getStringClaim("oid")).isEqualTo(EntraStandIn.ALICE.oid());
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-User")).containsExactly("alice@contoso.example");
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-Oid")).containsExactly(EntraStandIn.ALICE.oid());
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-Groups")).containsExactly(String.join(",", EntraStandIn.ALICE.groups()));
    }

    @Test
    void clientSentIdentityHeadersNeverReachTheApp() {
        Map<String, String> forged = new HashMap<>(Map.of(
                "Authorization", "Bearer forged",
                "X-Auth-Request-User", "mallory",
                "X-Auth-Request-Groups", "cluster-admins",
                "X-Auth-Request-Access-Token", "forged",
                "X-Auth-Request-Groups-Truncated", "forged-truncated",
                "X_Auth_Request_User", "mallory",
                "X_Auth_Request_Email", "mallory@evil.example",
                "X-Auth-Request-Email", "mallory@evil.example"));
        int before = echo.requests().size();
        TestBrowser anonymous = browser();
        HttpResponse<String> refused = anonymous.get(proxy.url + "/app", forged);
        assertThat(refused.statusCode()).isIn(302, 401);
        assertThat(echo.requests()).hasSize(before);

        TestBrowser b = signedIn("/app");
        JsonObject seen = echoed(b.get(proxy.url + "/app", forged));
        assertThat(EchoUpstream.header(seen, "Authorization")).hasSize(1).noneMatch(v -> v.contains("forged"));
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-User")).containsExactly("alice@contoso.example");
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-Groups")).containsExactly(String.join(",", EntraStandIn.ALICE.groups()));
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-Email")).noneMatch(v -> v.contains("mallory"));
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-Access-Token")).isEmpty();
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-Groups-Truncated")).containsExactly("false");
        assertThat(EchoUpstream.headerNames(seen)).noneMatch(n -> n.contains("_"));
        assertThat(seen.encode()).doesNotContain("mallory").doesNotContain("forged").doesNotContain("cluster-admins");
    }

    /**
     * A client's own X-Real-IP is overwritten by the proxy with the connection's address on every route, so it
     * cannot spread its sign-ins over invented addresses, put one into the audit trail, or show one to the app.
     * The service trusts the proxy (AKS_AUTH_PROXY_TRUSTED_PROXIES), as the README says to.
     */
    @Test
    void aClientsOwnXRealIpNeitherEscapesTheSignInLimitNorReachesTheAuditOrTheApp() {
        clock.advance(Duration.ofMinutes(3));
        try (AuditCapture audit = new AuditCapture()) {
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> started = browser().get(proxy.url + "/oauth2/start?rd=/app", Map.of("X-Real-IP", "203.0.113." + i));
                assertThat(started.statusCode()).as("sign-in %d of the burst of 20", i).isEqualTo(302);
            }
            HttpResponse<String> limited = browser().get(proxy.url + "/oauth2/start?rd=/app", Map.of("X-Real-IP", "198.51.100.1"));
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).hasValue("6");
            List<JsonObject> lines = audit.lines();
            assertThat(lines).extracting(l -> l.getString("event")).containsExactly("ratelimit.exceeded");
            assertThat(lines.get(0).getString("client_ip")).isEqualTo("127.0.0.1");
        } finally {
            // A full bucket again for the other tests' sign-ins.
            clock.advance(Duration.ofMinutes(3));
        }

        try (AuditCapture audit = new AuditCapture()) {
            TestBrowser b = browser();
            b.headers.put("X-Real-IP", "203.0.113.99");
            assertThat(b.follow(proxy.url + "/app").statusCode()).isEqualTo(200);
            assertThat(audit.lines()).filteredOn(l -> "login.success".equals(l.getString("event"))).singleElement()
                    .satisfies(l -> assertThat(l.getString("client_ip")).isEqualTo("127.0.0.1"));
            JsonObject seen = echoed(b.get(proxy.url + "/app"));
            assertThat(EchoUpstream.header(seen, "X-Real-IP")).containsExactly("127.0.0.1");
        }
    }

    /**
     * The names of the identity headers the service sets on a 200 (asked directly, as the proxy does), each in every
     * spelling of its separators as hyphen or underscore, in varying case, with a value naming it. CGI/WSGI-style
     * apps read {@code X_Auth_Request_User} and {@code X-Auth_Request-User} as {@code X-Auth-Request-User}.
     */
    Map<String, String> everySpellingOfEveryIdentityHeader(TestBrowser signedIn) {
        HttpResponse<String> answer = signedIn.get(service.auth());
        assertThat(answer.statusCode()).isEqualTo(200);
        List<String> names = answer.headers().map().keySet().stream().filter(n -> n.regionMatches(true, 0, "X-Auth-Request-", 0, 15))
                .sorted().toList();
        assertThat(names).hasSize(8);
        Map<String, String> forged = new java.util.LinkedHashMap<>();
        forged.put("Authorization", "Bearer forged-authorization");
        int n = 0;
        for (String name : names) {
            String[] words = name.split("-");
            for (int underscores = 0; underscores < 1 << (words.length - 1); underscores++) {
                StringBuilder spelled = new StringBuilder(words[0]);
                for (int i = 1; i < words.length; i++) {
                    spelled.append((underscores >> (i - 1) & 1) == 0 ? '-' : '_').append(words[i]);
                }
                String cased = switch (n % 3) {
                    case 0 -> spelled.toString();
                    case 1 -> spelled.toString().toLowerCase(java.util.Locale.ROOT);
                    default -> spelled.toString().toUpperCase(java.util.Locale.ROOT);
                };
                forged.put(cased, "forged-" + n++ + "-" + cased);
            }
        }
        return forged;
    }

    /** Through {@code proxyUrl}, a signed-in request carrying every forged spelling reaches the app with none of them. */
    void noForgedSpellingReachesTheApp(TestBrowser signedIn, String proxyUrl) {
        Map<String, String> forged = everySpellingOfEveryIdentityHeader(signedIn);
        assertThat(forged).hasSizeGreaterThan(70);
        JsonObject seen = echoed(signedIn.get(proxyUrl + "/app", forged));
        assertThat(EchoUpstream.header(seen, "Authorization")).singleElement().satisfies(v -> assertThat(v).startsWith("Bearer ey"));
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-User")).containsExactly("alice@contoso.example");
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-Preferred-Username")).containsExactly("alice@contoso.example");
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-Oid")).containsExactly(EntraStandIn.ALICE.oid());
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-Tid")).containsExactly(EntraStandIn.TENANT);
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-Access-Token")).isEmpty();
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-Groups-Truncated")).containsExactly("false");
        assertThat(EchoUpstream.headerNames(seen)).noneMatch(h -> h.contains("_"));
        assertThat(seen.encode()).doesNotContain("forged");
    }

    @Test
    void noSpellingOfAnyIdentityHeaderAClientForgesReachesTheApp() {
        TestBrowser anonymous = browser();
        int before = echo.requests().size();
        TestBrowser b = signedIn("/app");
        Map<String, String> forged = everySpellingOfEveryIdentityHeader(b);
        assertThat(anonymous.get(proxy.url + "/app", forged).statusCode()).isIn(302, 401);
        assertThat(echo.requests()).hasSize(before + 1);
        noForgedSpellingReachesTheApp(b, proxy.url);
    }

    @Test
    void aksTokenOfAUserIn200GroupsPassesThrough() throws Exception {
        List<String> groups = IntStream.range(0, 200).mapToObj(i -> String.format("%08x-1111-2222-3333-%012d", i, i)).toList();
        idp.claims.signInAs(new EntraShapedTokenCallback.User("99999999-8888-7777-6666-555555555555", "grace@contoso.example",
                "Grace Many-Groups", groups));
        TestBrowser b = signedIn("/app");
        JsonObject seen = echoed(b.get(proxy.url + "/app"));
        String authorization = EchoUpstream.header(seen, "Authorization").get(0);
        assertThat(authorization.length()).isGreaterThan(8 * 1024);
        JWTClaimsSet token = JWTParser.parse(authorization.substring(7)).getJWTClaimsSet();
        assertThat(token.getAudience()).containsExactly(AKS_AUDIENCE);
        assertThat(token.getStringListClaim("groups")).hasSize(200);
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-User")).containsExactly("grace@contoso.example");
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-Groups").get(0).split(",")).hasSize(200);
    }

    @Test
    void unauthenticatedRequestGoesToSignInWithPathAndQueryPreservedAndLandsBackThere() {
        String original = "/app/a%20b/x%2Fy/%E2%9C%93?q=a%26b&name=J%C3%BCrgen%20M&space=a+b&slash=%2F&empty=";
        TestBrowser b = browser();
        HttpResponse<String> first = b.get(proxy.url + original);
        assertThat(first.statusCode()).isEqualTo(302);
        URI signIn = URI.create(proxy.url).resolve(TestBrowser.location(first));
        assertThat(signIn.getPath()).isEqualTo("/oauth2/start");
        String rd = URLDecoder.decode(signIn.getRawQuery().substring("rd=".length()), StandardCharsets.UTF_8);
        assertThat(rd).isIn(original, proxy.url + original);

        HttpResponse<String> landed = b.follow(signIn.toString());
        assertThat(landed.uri().toString()).isEqualTo(proxy.url + original);
        assertThat(echoed(landed).getString("uri")).isEqualTo(original);
    }

    @Test
    void anActiveUsersSessionOutlivesTheIdleTimeoutBecauseRenewalsReachTheBrowserThroughTheProxy() {
        // Tokens must outlive the clock's jumps (the stand-in stamps them from real time).
        idp.tokenLifetime(Duration.ofHours(4).toSeconds());
        try {
            TestBrowser b = signedIn("/app/");
            for (int i = 1; i <= 3; i++) {
                // Half the idle timeout (1 h) each time: 90 minutes in all, active throughout.
                clock.advance(Duration.ofMinutes(30));
                HttpResponse<String> r = b.get(proxy.url + "/app/");
                assertThat(r.statusCode()).as("request %d, %d minutes after sign-in", i, 30 * i).isEqualTo(200);
                assertThat(r.headers().allValues("Set-Cookie")).as("the renewal reaches the browser")
                        .anyMatch(c -> c.startsWith(SESSION + "=") || c.startsWith(SESSION + "-seen="));
            }
        } finally {
            idp.tokenLifetime(3600);
            clock.set(Instant.now());
        }
    }

    @Test
    void signOutEndsAccessThroughTheProxy() {
        TestBrowser b = signedIn("/app");
        String session = b.cookies.get(SESSION);
        b.cookies.put(SESSION + "-seen", "an-older-activity-stamp");
        HttpResponse<String> out = b.get(proxy.url + "/oauth2/sign_out?rd=/");
        assertThat(out.statusCode()).isEqualTo(302);
        assertThat(SignOutTest.setCookies(out)).as("every session cookie is cleared, with the attributes it was set with")
                .containsExactlyInAnyOrder(SignOutTest.cleared(SESSION), SignOutTest.cleared(SESSION + "-seen"));
        assertThat(b.cookies).doesNotContainKey(SESSION);
        int before = echo.requests().size();
        HttpResponse<String> after = b.get(proxy.url + "/app");
        assertThat(after.statusCode()).isEqualTo(302);
        assertThat(URI.create(proxy.url).resolve(TestBrowser.location(after)).getPath()).isEqualTo("/oauth2/start");
        assertThat(echo.requests()).hasSize(before);
        assertThat(session).isNotEmpty();
    }

    @Test
    void authEndpointIsNotReachableThroughThePublicRoute() {
        TestBrowser anonymous = browser();
        int before = echo.requests().size();
        HttpResponse<String> refused = anonymous.get(proxy.url + "/oauth2/auth");
        assertThat(refused.statusCode()).isEqualTo(302);
        assertThat(refused.headers().firstValue("Authorization")).isEmpty();
        assertThat(echo.requests()).hasSize(before);

        TestBrowser b = signedIn("/app");
        HttpResponse<String> r = b.get(proxy.url + "/oauth2/auth");
        // Signed in, the path is just another path of the protected app: the app answers, the service's auth
        // answer (with the token in a response header) never reaches the browser.
        assertThat(echoed(r).getString("uri")).isEqualTo("/oauth2/auth");
        assertThat(r.headers().firstValue("Authorization")).isEmpty();
        assertThat(r.headers().firstValue("X-Auth-Request-User")).isEmpty();
    }

    @Test
    void appNeverReceivesTheServicesCookiesOtherCookiesPassUntouched() {
        TestBrowser b = signedIn("/app");
        b.cookies.put("theme", "dark");
        b.cookies.put(SESSION + "-login-abcdefghij", "pending-sign-in");
        b.cookies.put("my-aks-auth-proxy-pref", "keep=me");
        b.cookies.put(SESSION + "-seen", "seen-value");
        b.cookies.put("zz", "last");
        JsonObject seen = echoed(b.get(proxy.url + "/app"));
        List<String> cookieHeaders = EchoUpstream.header(seen, "Cookie");
        assertThat(cookieHeaders).hasSize(1);
        List<String> cookies = List.of(cookieHeaders.get(0).split(";\\s*"));
        assertThat(cookies).containsExactly("theme=dark", "my-aks-auth-proxy-pref=keep=me", "zz=last");
    }

    /**
     * The most cookies of the service a real browser holds at once: a session of a user in 200 groups in three
     * chunks, its -seen activity stamp, and three sign-ins started in other tabs and never finished; each one
     * between two of the app's own cookies. The app gets exactly its own cookies, in order.
     */
    @Test
    void appReceivesNoneOfTheServicesCookiesInTheLargestSessionAndOnlyItsOwnInOrder() {
        // Entra puts at most 200 groups in an ID token; random ids, as real ones are, do not compress away. Entra's
        // refresh token has about 1,800 characters, the stand-in's far fewer: a display name of that length puts the
        // same bytes into the session.
        List<String> groups = IntStream.range(0, 200).mapToObj(i -> java.util.UUID.randomUUID().toString()).toList();
        byte[] random = new byte[1350];
        new java.security.SecureRandom().nextBytes(random);
        String entraSizedFiller = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        idp.claims.signInAs(new EntraShapedTokenCallback.User("99999999-8888-7777-6666-555555555555", "grace@contoso.example",
                "Grace " + entraSizedFiller, groups));
        TestBrowser b = browser();
        for (int tab = 0; tab < 3; tab++) {
            assertThat(b.get(proxy.url + "/oauth2/start?rd=/app/tab" + tab).statusCode()).isEqualTo(302);
        }
        assertThat(b.follow(proxy.url + "/app").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(8));
        assertThat(b.get(service.auth()).statusCode()).as("renews the activity stamp").isEqualTo(200);
        List<String> own = List.copyOf(b.cookies.keySet());
        assertThat(own).contains(SESSION + "_0", SESSION + "_1", SESSION + "_2", SESSION + "-seen")
                .filteredOn(n -> n.startsWith(SESSION + "-login-")).hasSize(3);
        assertThat(own).hasSize(7);

        Map<String, String> interleaved = new java.util.LinkedHashMap<>();
        List<String> appCookies = new java.util.ArrayList<>();
        for (int i = 0; i < own.size(); i++) {
            interleaved.put("app" + i, "v" + i);
            appCookies.add("app" + i + "=v" + i);
            interleaved.put(own.get(i), b.cookies.get(own.get(i)));
        }
        interleaved.put("last", "z");
        appCookies.add("last=z");
        b.cookies.clear();
        b.cookies.putAll(interleaved);

        JsonObject seen = echoed(b.get(proxy.url + "/app"));
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-User")).containsExactly("grace@contoso.example");
        assertThat(EchoUpstream.header(seen, "Cookie")).singleElement()
                .satisfies(cookie -> assertThat(cookie.split(";\\s*")).containsExactlyElementsOf(appCookies));
    }

    /**
     * Cookies named like the service's but planted by someone else (a sibling subdomain can set cookies for the
     * parent domain), more than any real browser holds, each between two of the app's: none reaches the app.
     */
    @Test
    void anyNumberOfCookiesNamedLikeTheServicesNeverReachesTheApp() {
        TestBrowser b = signedIn("/app");
        Map<String, String> session = Map.copyOf(b.cookies);
        b.cookies.clear();
        List<String> appCookies = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            b.cookies.put("app" + i, "v" + i);
            appCookies.add("app" + i + "=v" + i);
            b.cookies.put((i % 2 == 0 ? "aks-auth-proxy-planted" : SESSION + "-planted") + i, "x" + i);
        }
        b.cookies.putAll(session);
        JsonObject seen = echoed(b.get(proxy.url + "/app"));
        List<String> received = EchoUpstream.header(seen, "Cookie").stream().flatMap(h -> List.of(h.split(";\\s*")).stream()).toList();
        assertThat(received).allSatisfy(c -> assertThat(appCookies).contains(c));
        if (stripsAnyNumberOfCookiesExactly()) {
            assertThat(received).containsExactlyElementsOf(appCookies);
        }
    }

    @Test
    void oversizedCookieIsRefusedWithoutAServerError() {
        TestBrowser b = browser();
        b.cookies.put(SESSION, "x".repeat(40 * 1024));
        int before = echo.requests().size();
        assertThat(b.get(proxy.url + "/app").statusCode()).isEqualTo(oversizedCookieStatus());
        assertThat(echo.requests()).hasSize(before);
    }
}
