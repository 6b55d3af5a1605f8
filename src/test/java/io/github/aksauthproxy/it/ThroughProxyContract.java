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
        assertThat(EchoUpstream.headerNames(seen)).noneMatch(n -> n.contains("_"));
        assertThat(seen.encode()).doesNotContain("mallory").doesNotContain("forged").doesNotContain("cluster-admins");
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

    @Test
    void oversizedCookieIsRefusedWithoutAServerError() {
        TestBrowser b = browser();
        b.cookies.put(SESSION, "x".repeat(40 * 1024));
        int before = echo.requests().size();
        assertThat(b.get(proxy.url + "/app").statusCode()).isEqualTo(oversizedCookieStatus());
        assertThat(echo.requests()).hasSize(before);
    }
}
