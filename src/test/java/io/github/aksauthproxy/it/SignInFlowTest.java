package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import io.github.aksauthproxy.config.CookieKey;
import io.github.aksauthproxy.session.CookieCodec;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The browser sign-in against the stand-in for Entra (mock-oauth2-server), end to end on loopback. */
class SignInFlowTest {
    static final String SESSION = "__Host-aks-auth-proxy";
    static EntraStandIn idp;
    static ServiceUnderTest service;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        idp = new EntraStandIn();
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
        idp.close();
    }

    @Test
    void fullSignInReturnsToRdAndAuthAnswersWithAksTokenForTheUser() throws Exception {
        TestBrowser browser = new TestBrowser(idp.trust());
        HttpResponse<String> start = browser.get(service.start("/dashboard?tab=pods"));
        assertThat(start.statusCode()).isEqualTo(302);
        assertThat(start.headers().firstValue("Cache-Control")).hasValue("no-store");
        URI authorize = URI.create(TestBrowser.location(start));
        assertThat(authorize.toString()).startsWith(idp.authorityHost() + EntraStandIn.TENANT + "/oauth2/v2.0/authorize?");
        Map<String, String> q = query(authorize);
        assertThat(q).containsEntry("code_challenge_method", "S256").containsEntry("response_mode", "query")
                .containsEntry("client_id", EntraStandIn.CLIENT_ID).containsEntry("scope", "openid profile offline_access");
        assertThat(q.get("code_challenge")).matches("[A-Za-z0-9_-]{43}");
        assertThat(q.get("state")).matches("[A-Za-z0-9_-]{43}");
        assertThat(q.get("nonce")).matches("[A-Za-z0-9_-]{43}");

        String back = browser.followUntil(authorize.toString(), service.publicUrl + "/dashboard");
        assertThat(back).isEqualTo(service.publicUrl + "/dashboard?tab=pods");
        assertThat(browser.cookies).containsKey(SESSION).doesNotContainKeys(loginCookie(q.get("state")));

        HttpResponse<String> auth = browser.get(service.auth());
        assertThat(auth.statusCode()).isEqualTo(200);
        String bearer = auth.headers().firstValue("Authorization").orElseThrow();
        assertThat(bearer).startsWith("Bearer ");
        JWTClaimsSet token = JWTParser.parse(bearer.substring(7)).getJWTClaimsSet();
        assertThat(token.getAudience()).containsExactly("6dae42f8-4368-4678-94ff-3960e28e3630");
        assertThat(token.getStringClaim("oid")).isEqualTo(EntraStandIn.ALICE.oid());
        assertThat(auth.headers().firstValue("X-Auth-Request-User")).hasValue("alice@contoso.example");
        assertThat(auth.headers().firstValue("X-Auth-Request-Preferred-Username")).hasValue("alice@contoso.example");
        assertThat(auth.headers().firstValue("X-Auth-Request-Oid")).hasValue(EntraStandIn.ALICE.oid());
        assertThat(auth.headers().firstValue("X-Auth-Request-Tid")).hasValue(EntraStandIn.TENANT);
        assertThat(auth.headers().firstValue("X-Auth-Request-Groups")).hasValue(String.join(",", EntraStandIn.ALICE.groups()));
        assertThat(auth.headers().firstValue("X-Auth-Request-Email")).hasValue("");
        assertThat(auth.headers().allValues("X-Auth-Request-Access-Token")).containsExactly("");

        HttpResponse<String> userinfo = browser.get(service.publicUrl + "/oauth2/userinfo");
        assertThat(userinfo.statusCode()).isEqualTo(200);
        assertThat(new io.vertx.core.json.JsonObject(userinfo.body()).getString("user")).isEqualTo("alice@contoso.example");
        assertThat(userinfo.body()).doesNotContain(bearer.substring(7));
    }

    @Test
    void authIsNotServedOnThePublicListener() {
        TestBrowser browser = signedIn();
        assertThat(browser.get(service.publicUrl + "/oauth2/auth").statusCode()).isEqualTo(404);
        assertThat(browser.get(service.auth()).statusCode()).isEqualTo(200);
    }

    @Test
    void noLogLineCarriesATokenCookieCodeAssertionOrKey() throws Exception {
        List<String> secrets = new ArrayList<>();
        List<String> lines;
        try (LogCapture logs = new LogCapture()) {
            TestBrowser browser = new TestBrowser(idp.trust());
            HttpResponse<String> start = browser.get(service.start("/"));
            String state = query(URI.create(TestBrowser.location(start))).get("state");
            String loginCookie = browser.cookies.get(loginCookie(state));
            JsonPayload login = decrypt("login", loginCookie);
            String callback = calledBack(browser, TestBrowser.location(start));
            String code = query(URI.create(callback)).get("code");
            assertThat(browser.get(callback).statusCode()).isEqualTo(302);
            HttpResponse<String> auth = browser.get(service.auth());
            assertThat(auth.statusCode()).isEqualTo(200);
            String session = browser.cookies.get(SESSION);
            secrets.addAll(List.of(auth.headers().firstValue("Authorization").orElseThrow().substring(7), session, loginCookie, code,
                    login.get("nonce"), login.get("verifier"), decrypt("session", session).get("rt"),
                    Files.readString(service.tokenFile).trim(), ServiceUnderTest.KEY_1));
            browser.get(service.publicUrl + "/oauth2/sign_out");
            lines = logs.lines();
        }
        assertThat(lines).anyMatch(l -> l.contains("event=login.success"));
        for (String secret : secrets) {
            assertThat(secret).hasSizeGreaterThan(20);
            String slice = secret.substring(secret.length() / 2 - 10, secret.length() / 2 + 10);
            for (String line : lines) {
                assertThat(line).as("log line must not contain a secret").doesNotContain(slice);
            }
        }
    }

    @Test
    void startingASignInClearsTheExistingSessionAndTheCallbackMakesANewOne() throws Exception {
        TestBrowser browser = signedIn();
        String oldCookie = browser.cookies.get(SESSION);
        String oldSid = decrypt("session", oldCookie).get("sid");
        HttpResponse<String> start = browser.get(service.start("/"));
        assertThat(start.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith(SESSION + "=;") && c.contains("Max-Age=0"));
        assertThat(browser.cookies).doesNotContainKey(SESSION);
        browser.follow(service.publicUrl + "/oauth2/start?rd=/");
        String newCookie = browser.cookies.get(SESSION);
        assertThat(newCookie).isNotNull().isNotEqualTo(oldCookie);
        assertThat(decrypt("session", newCookie).get("sid")).isNotEqualTo(oldSid);
    }

    @Test
    void twoSignInsInOneBrowserCompletedInReverseOrderBothSucceed() {
        TestBrowser browser = new TestBrowser(idp.trust());
        String first = TestBrowser.location(browser.get(service.start("/first")));
        String second = TestBrowser.location(browser.get(service.start("/second")));
        String secondCallback = calledBack(browser, second);
        String firstCallback = calledBack(browser, first);

        HttpResponse<String> r2 = browser.get(secondCallback);
        assertThat(r2.statusCode()).isEqualTo(302);
        assertThat(TestBrowser.location(r2)).isEqualTo("/second");
        HttpResponse<String> r1 = browser.get(firstCallback);
        assertThat(r1.statusCode()).isEqualTo(302);
        assertThat(TestBrowser.location(r1)).isEqualTo("/first");
        assertThat(browser.get(service.auth()).statusCode()).isEqualTo(200);
    }

    @Test
    void twoBrowsersOfOneUserHoldIndependentSessionsAndSigningOutOfOneLeavesTheOther() {
        TestBrowser laptop = signedIn();
        TestBrowser phone = signedIn();
        assertThat(laptop.cookies.get(SESSION)).isNotEqualTo(phone.cookies.get(SESSION));
        assertThat(laptop.get(service.auth()).statusCode()).isEqualTo(200);
        assertThat(phone.get(service.auth()).statusCode()).isEqualTo(200);

        HttpResponse<String> out = laptop.get(service.publicUrl + "/oauth2/sign_out?rd=/bye");
        assertThat(out.statusCode()).isEqualTo(302);
        assertThat(TestBrowser.location(out)).isEqualTo("/bye");
        assertThat(laptop.get(service.auth()).statusCode()).isEqualTo(401);
        assertThat(phone.get(service.auth()).statusCode()).isEqualTo(200);
    }

    @Test
    void signOutByPostWithAnUnsafeTargetFallsBackToRoot() {
        TestBrowser browser = signedIn();
        HttpResponse<String> out = browser.post(service.publicUrl + "/oauth2/sign_out?rd=https://evil.example/");
        assertThat(out.statusCode()).isEqualTo(302);
        assertThat(TestBrowser.location(out)).isEqualTo("/");
        assertThat(browser.get(service.auth()).statusCode()).isEqualTo(401);
    }

    @Test
    void callbackWithAStateThisBrowserNeverStartedIsRefusedWithAClearPage() {
        TestBrowser browser = new TestBrowser(idp.trust());
        String callback = calledBack(browser, TestBrowser.location(browser.get(service.start("/"))));
        String forged = callback.replaceAll("state=[^&]+", "state=" + "A".repeat(43));
        HttpResponse<String> r = browser.get(forged);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("Sign-in could not be completed").doesNotContain("Exception");
        assertThat(browser.cookies).doesNotContainKey(SESSION);
    }

    @Test
    void loginCookieMovedToAnotherStateIsRefused() {
        TestBrowser browser = new TestBrowser(idp.trust());
        HttpResponse<String> start = browser.get(service.start("/"));
        String state = query(URI.create(TestBrowser.location(start))).get("state");
        String callback = calledBack(browser, TestBrowser.location(start));
        String other = "B".repeat(43);
        browser.cookies.put(loginCookie(other), browser.cookies.remove(loginCookie(state)));
        HttpResponse<String> r = browser.get(callback.replace("state=" + state, "state=" + other));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(browser.cookies).doesNotContainKey(SESSION);
    }

    @Test
    void callbackInABrowserWithoutTheLoginCookieIsRefused() {
        TestBrowser victim = new TestBrowser(idp.trust());
        String callback = calledBack(victim, TestBrowser.location(victim.get(service.start("/"))));
        TestBrowser other = new TestBrowser(idp.trust());
        HttpResponse<String> r = other.get(callback);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(other.cookies).doesNotContainKey(SESSION);
    }

    @Test
    void replayedCallbackIsRefusedEvenWithItsLoginCookie() {
        TestBrowser browser = new TestBrowser(idp.trust());
        HttpResponse<String> start = browser.get(service.start("/"));
        String state = query(URI.create(TestBrowser.location(start))).get("state");
        String loginCookie = browser.cookies.get(loginCookie(state));
        String callback = calledBack(browser, TestBrowser.location(start));
        assertThat(browser.get(callback).statusCode()).isEqualTo(302);

        assertThat(browser.get(callback).statusCode()).isEqualTo(403);
        TestBrowser attacker = new TestBrowser(idp.trust());
        attacker.cookies.put(loginCookie(state), loginCookie);
        HttpResponse<String> replay = attacker.get(callback);
        assertThat(replay.statusCode()).isEqualTo(403);
        assertThat(attacker.cookies).doesNotContainKey(SESSION);
    }

    @Test
    void accessDeniedFromTheIdpIsAReadableForbiddenPage() {
        TestBrowser browser = new TestBrowser(idp.trust());
        HttpResponse<String> start = browser.get(service.start("/"));
        String state = query(URI.create(TestBrowser.location(start))).get("state");
        HttpResponse<String> r = browser.get(service.publicUrl + "/oauth2/callback?error=access_denied&error_description="
                + "AADSTS65004%3A+User+declined+to+consent&state=" + state);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("<h1>Access denied</h1><p>Microsoft Entra ID did not let you into this application.</p>",
                "<p><strong>AADSTS65004</strong>: You declined to give this application the permissions it asked for. Sign in again and "
                        + "accept them, or ask an administrator to grant them for everyone.</p>",
                "<a class=\"action\" href=\"/oauth2/start?rd=%2F\">Sign in again</a>");
        assertThat(browser.cookies).doesNotContainKey(loginCookie(state));
    }

    @Test
    void idpErrorWithAnAadstsCodeNamesTheCause() {
        TestBrowser browser = new TestBrowser(idp.trust());
        HttpResponse<String> r = browser.get(service.publicUrl + "/oauth2/callback?error=invalid_request&error_description="
                + "AADSTS50011%3A+The+redirect+URI+%3Cscript%3E+does+not+match");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("<h1>Sign-in failed</h1><p>Microsoft Entra ID could not sign you in.</p>",
                "<p><strong>AADSTS50011</strong>: This application&#39;s sign-in address is not registered in Microsoft Entra ID, so "
                        + "nobody can sign in until an administrator fixes it. Signing in again will not help; tell an administrator.</p>",
                "<tr><th scope=\"row\">Error code</th><td>AADSTS50011: the redirect URI is not registered on the app; add "
                        + "AKS_AUTH_PROXY_REDIRECT_URL as a Web redirect URI</td></tr>").doesNotContain("<script>");
    }

    @Test
    void callbackWithoutParametersIsRefusedWith403NotAnError() {
        TestBrowser browser = new TestBrowser(idp.trust());
        assertThat(browser.get(service.publicUrl + "/oauth2/callback").statusCode()).isEqualTo(403);
        assertThat(browser.get(service.publicUrl + "/oauth2/callback?state=" + "C".repeat(43)).statusCode()).isEqualTo(403);
    }

    @Test
    void authDecisionIgnoresUserAgentForwardedHeadersAndFragmentsInThePath() {
        TestBrowser stranger = new TestBrowser(idp.trust());
        Map<String, String> spoof = Map.of(
                "User-Agent", "kube-probe/1.30",
                "X-Forwarded-Uri", "/oauth2/start",
                "X-Forwarded-Host", service.publicUrl.substring(7),
                "X-Original-URL", service.publicUrl + "/oauth2/callback",
                "X-Auth-Request-User", "admin@contoso.example",
                "Authorization", "Bearer not-a-token");
        assertThat(stranger.get(service.auth(), spoof).statusCode()).isEqualTo(401);
        assertThat(stranger.get(service.auth() + "?x=%23").statusCode()).isEqualTo(401);
        assertThat(stranger.get(service.internalUrl + "/oauth2/auth%23/../healthz").statusCode()).isEqualTo(404);
        assertThat(stranger.get(service.internalUrl + "/oauth2/auth%23").statusCode()).isEqualTo(404);
        assertThat(stranger.get(service.internalUrl + "/healthz%23/oauth2/auth").statusCode()).isEqualTo(404);
    }

    @Test
    void unknownProfileIsABadRequest() {
        TestBrowser browser = signedIn();
        HttpResponse<String> r = browser.get(service.auth() + "?profile=nope");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("Authorization")).isEmpty();
    }

    /** A browser that has completed a sign-in. */
    static TestBrowser signedIn() {
        TestBrowser browser = new TestBrowser(idp.trust());
        HttpResponse<String> landed = browser.follow(service.start("/signed-in"));
        assertThat(landed.uri().getPath()).isEqualTo("/signed-in");
        assertThat(browser.cookies).containsKey(SESSION);
        return browser;
    }

    /** Lets the IdP answer the authorize URL and returns the callback URL it sends the browser to. */
    static String calledBack(TestBrowser browser, String authorizeUrl) {
        HttpResponse<String> r = browser.get(authorizeUrl);
        assertThat(r.statusCode()).isEqualTo(302);
        String location = TestBrowser.location(r);
        assertThat(location).startsWith(service.publicUrl + "/oauth2/callback?");
        return location;
    }

    static String loginCookie(String state) {
        return SESSION + "-login-" + state;
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String p : uri.getRawQuery().split("&")) {
            int eq = p.indexOf('=');
            m.put(p.substring(0, eq), URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }

    /** Opens one of the service's cookies with the configured key, as only the service can. */
    static JsonPayload decrypt(String kind, String value) {
        CookieCodec codec = new CookieCodec(List.of(CookieKey.of(Base64.getDecoder().decode(ServiceUnderTest.KEY_1))));
        CookieCodec.Decoded d = codec.decrypt(kind, value);
        assertThat(d.ok()).as("cookie decrypts as " + kind).isTrue();
        return new JsonPayload(d.payload());
    }

    record JsonPayload(io.vertx.core.json.JsonObject json) {
        String get(String field) {
            return String.valueOf(json.getValue(field));
        }
    }
}
