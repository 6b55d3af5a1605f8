package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.entra.AadstsExplanations;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pages a person meets when something goes wrong, through real nginx configured from the shipped ingress-nginx
 * example (its error_page lines hand a refused or failed auth subrequest to /oauth2/error): each says what happened,
 * explains Entra's code in words a user can act on, offers "Sign in again" back to where they were going, and gives
 * the request id to quote, the one the audit trail recorded. Every value from the request is escaped. A real Chromium
 * takes a screenshot of each (target/error-pages/*.png).
 */
class ErrorPagesTest {
    static final Pattern GENERATED_ID = Pattern.compile("<code id=\"request-id\">([0-9a-f]{32})</code>");
    static final String PROFILES = """
            profiles:
              - name: locked
                scopes: ["6dae42f8-4368-4678-94ff-3960e28e3630/.default"]
                allow: {users: ["nobody@contoso.example"]}
              - name: consent
                scopes: ["api://reports/access_as_user"]
              - name: flaky
                scopes: ["6dae42f8-4368-4678-94ff-3960e28e3630/.default"]
                rbac: {verb: get, resource: services, subresource: proxy, namespace: monitoring, name: grafana}
            """;

    @TempDir
    static Path dir;
    static EntraStandIn idp;
    static ServiceUnderTest service;
    static HttpServer app;
    static ProxyProcess nginx;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        idp = new EntraStandIn();
        int port = ServiceUnderTest.freePort();
        base = "http://localhost:" + port;
        Path profiles = Files.writeString(dir.resolve("profiles.yaml"), PROFILES);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AKS_AUTH_PROXY_REDIRECT_URL", base + "/oauth2/callback");
        env.put("AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS", "localhost:" + port);
        env.put("AKS_AUTH_PROXY_TRUSTED_PROXIES", "127.0.0.1/32");
        env.put("AKS_AUTH_PROXY_CONFIG", profiles.toString());
        // Nothing listens there: the flaky profile's RBAC check cannot be answered.
        env.put("AKS_AUTH_PROXY_KUBERNETES_API_URL", "https://127.0.0.1:" + ServiceUnderTest.freePort());
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), env);
        app = DemoApp.start(service.vertx, ServiceUnderTest.freePort());
        nginx = NginxIngress.start(IngressNginxAnnotations.PROTECTED_APP, dir, "127.0.0.1", port, service.config.publicPort(),
                service.config.internalPort(), app.actualPort(), Map.of("/locked/", "locked", "/flaky/", "flaky", "/consent/", "consent"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        if (app != null) {
            app.close().await(5, TimeUnit.SECONDS);
        }
        if (service != null) {
            service.close();
        }
        if (idp != null) {
            idp.close();
        }
    }

    private static TestBrowser signedIn() {
        TestBrowser b = new TestBrowser(idp.trust());
        HttpResponse<String> landed = b.follow(base + "/app");
        assertThat(landed.statusCode()).isEqualTo(200);
        assertThat(b.cookies).containsKey(SignInFlowTest.SESSION);
        return b;
    }

    @Test
    void refusedByTheProfilesRulesThroughNginxIsAnAccessDeniedPageWithTheAuditsRequestId() {
        TestBrowser b = signedIn();
        try (AuditCapture audit = new AuditCapture()) {
            HttpResponse<String> r = b.get(base + "/locked/report?week=12", Map.of("X-Request-ID", "ticket-4711"));
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(r.body()).contains("<title>Access denied - aks-auth-proxy</title>",
                    "<h1>Access denied</h1><p>Your account may not open this page: its access rules (groups, users, or the cluster&#39;s RBAC) "
                            + "do not include you.</p><p>You are signed in as <strong>alice@contoso.example</strong>.</p>",
                    "<li><a class=\"action\" href=\"/oauth2/start?rd=%2Flocked%2Freport%3Fweek%3D12\">Sign in again</a></li>",
                    "<li><a href=\"/oauth2/whoami\">See who you are signed in as, your groups, and which apps you may use</a></li>",
                    "<tr><th scope=\"row\">Request id</th><td><code id=\"request-id\">ticket-4711</code></td></tr>",
                    "<tr><th scope=\"row\">Status</th><td>403</td></tr>")
                    .doesNotContain("nobody@contoso.example").doesNotContain(b.cookies.get(SignInFlowTest.SESSION));
            assertThat(audit.lines()).filteredOn(l -> "access.denied".equals(l.getString("event")))
                    .extracting(l -> l.getString("request_id")).containsExactly("ticket-4711");
        }
    }

    @Test
    void withoutAClientRequestIdThePageShowsNginxsOwnTheOneTheAuditRecorded() {
        TestBrowser b = signedIn();
        try (AuditCapture audit = new AuditCapture()) {
            HttpResponse<String> r = b.get(base + "/locked/");
            assertThat(r.statusCode()).isEqualTo(403);
            Matcher id = GENERATED_ID.matcher(r.body());
            assertThat(id.find()).as(r.body()).isTrue();
            assertThat(audit.lines()).filteredOn(l -> "access.denied".equals(l.getString("event")))
                    .extracting(l -> l.getString("request_id")).containsExactly(id.group(1));
        }
    }

    /** A refusal no sign-in cures: the auth subrequest names Entra's code, nginx hands it on, the page explains it. */
    @Test
    void missingConsentThroughNginxIsAnAccessDeniedPageExplainingAadsts65001() {
        TestBrowser b = signedIn();
        idp.answerTokenRequests("refresh_token", EntraStandIn.entraError(400, "invalid_grant", "AADSTS65001", "consent_required", null));
        try {
            HttpResponse<String> r = b.get(base + "/consent/q3", Map.of("X-Request-ID", "ticket-65001"));
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("<h1>Access denied</h1><p>Microsoft Entra ID refuses this application a token for your "
                            + "account, so this page cannot be opened.</p><p>You are signed in as <strong>alice@contoso.example</strong>.</p>",
                    "<p><strong>AADSTS65001</strong>: " + AadstsExplanations.forUser("AADSTS65001").orElseThrow() + "</p>",
                    "<a class=\"action\" href=\"/oauth2/start?rd=%2Fconsent%2Fq3\">Sign in again</a>",
                    "<code id=\"request-id\">ticket-65001</code>");
        } finally {
            idp.answerTokenRequestsNormally();
        }
    }

    @Test
    void aCodeOnTheErrorPagesUrlIsShownOnlyWhenTheServiceExplainsIt() {
        HttpResponse<String> r = new TestBrowser(idp.trust()).get(service.publicUrl + "/oauth2/error?status=403&code=AADSTS99999");
        assertThat(r.body()).contains("<p>Your account may not open this page").doesNotContain("AADSTS99999");
    }

    @Test
    void accessCheckThatCannotBeAnsweredThroughNginxIsA503PageWithTryAgain() {
        TestBrowser b = signedIn();
        HttpResponse<String> r = b.get(base + "/flaky/board", Map.of("X-Request-ID", "ticket-503"));
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(r.body()).contains("<h1>This page cannot be opened right now</h1><p>Your access could not be checked just now: "
                        + "Microsoft Entra ID or the cluster did not answer in time, or too many requests came at once. This usually passes "
                        + "within a minute.</p>",
                "<li><a class=\"action\" href=\"/flaky/board\">Try again</a></li>",
                "<li><a class=\"action\" href=\"/oauth2/start?rd=%2Fflaky%2Fboard\">Sign in again</a></li>",
                "<code id=\"request-id\">ticket-503</code>");
    }

    /** Entra's refusal on the way back from sign-in, in words a user can act on, with the way back to their page. */
    @ParameterizedTest
    @ValueSource(strings = {"AADSTS50105", "AADSTS53003", "AADSTS65001", "AADSTS50076", "AADSTS50079"})
    void entraRefusingTheSignInExplainsTheCodeAndLeadsBackToThePageAsked(String code) {
        TestBrowser b = new TestBrowser(idp.trust());
        String authorize = TestBrowser.location(b.get(base + "/oauth2/start?rd=" + URLEncoder.encode("/reports?year=2026", StandardCharsets.UTF_8)));
        String state = SignInFlowTest.query(URI.create(authorize)).get("state");
        HttpResponse<String> r = b.get(base + "/oauth2/callback?error=access_denied&state=" + state + "&error_description="
                + URLEncoder.encode(code + ": refused. Trace ID: 1", StandardCharsets.UTF_8), Map.of("X-Request-ID", "ticket-" + code));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("<h1>Access denied</h1><p>Microsoft Entra ID did not let you into this application.</p>",
                "<h2 id=\"meaning\">What this means</h2><p><strong>" + code + "</strong>: "
                        + AadstsExplanations.forUser(code).orElseThrow() + "</p>",
                "<li><a class=\"action\" href=\"/oauth2/start?rd=%2Freports%3Fyear%3D2026\">Sign in again</a></li>",
                "<code id=\"request-id\">ticket-" + code + "</code>");
    }

    @Test
    void everyValueFromTheRequestIsEscapedAndAForeignTargetIsNotLinked() {
        HttpResponse<String> r = new TestBrowser(idp.trust()).get(service.publicUrl + "/oauth2/error?status=403&rd="
                + URLEncoder.encode("https://evil.example/<script>", StandardCharsets.UTF_8), Map.of("X-Request-ID", "<script>alert(1)</script>\"'"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("<code id=\"request-id\">&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;</code>",
                        "<a class=\"action\" href=\"/oauth2/start\">Sign in again</a>")
                .doesNotContain("<script").doesNotContain("evil.example").doesNotContain("signed in as");
        HttpResponse<String> description = new TestBrowser(idp.trust()).get(service.publicUrl + "/oauth2/callback?error=access_denied"
                + "&error_description=" + URLEncoder.encode("AADSTS50105<img src=x onerror=alert(1)>", StandardCharsets.UTF_8) + "&state=x");
        assertThat(description.body()).contains("<strong>AADSTS50105</strong>").doesNotContain("<img").doesNotContain("onerror");
    }

    @Test
    void anErrorPageForAnotherStatusDoesNotExist() {
        for (String status : List.of("", "200", "500", "403x")) {
            HttpResponse<String> r = new TestBrowser(idp.trust()).get(service.publicUrl + "/oauth2/error?status=" + status);
            assertThat(r.statusCode()).as(status).isEqualTo(404);
        }
    }

    @Test
    void chromiumShowsEachErrorPageWithItsWayForward() throws Exception {
        Path shots = Files.createDirectories(Path.of("target/error-pages").toAbsolutePath());
        Map<String, JsonObject> pages = new LinkedHashMap<>();
        ChromiumScript.run("error-pages.js", base, shots.toString()).forEach(j -> pages.put(j.getString("name"), j));
        assertThat(pages).containsOnlyKeys("forbidden", "unavailable", "aadsts50105", "callback");

        assertThat(pages.get("forbidden").getInteger("status")).isEqualTo(403);
        assertThat(pages.get("forbidden").getString("text")).contains("Access denied", "You are signed in as alice@contoso.example.",
                "Sign in again", "See who you are signed in as", "Request id");
        assertThat(pages.get("forbidden").getString("signInHref")).isEqualTo("/oauth2/start?rd=%2Flocked%2Freport%3Fweek%3D12");

        assertThat(pages.get("unavailable").getInteger("status")).isEqualTo(503);
        assertThat(pages.get("unavailable").getString("text")).contains("This page cannot be opened right now", "Try again", "Sign in again");

        assertThat(pages.get("aadsts50105").getInteger("status")).isEqualTo(403);
        assertThat(pages.get("aadsts50105").getString("text")).contains("Access denied", "AADSTS50105: Your account is not assigned to "
                + "this application.", "Sign in again", "Request id");
        assertThat(pages.get("aadsts50105").getString("signInHref")).isEqualTo("/oauth2/start?rd=%2Freports%3Fyear%3D2026");

        assertThat(pages.get("callback").getInteger("status")).isEqualTo(403);
        assertThat(pages.get("callback").getString("text")).contains("Sign-in could not be completed", "Sign in again", "Request id");
        assertThat(pages.get("callback").getString("signInHref")).isEqualTo("/oauth2/start");

        for (JsonObject page : pages.values()) {
            assertThat(page.getString("text")).as(page.getString("name")).doesNotContainPattern("eyJ[A-Za-z0-9_-]{20,}")
                    .doesNotContain("Exception");
            Path shot = shots.resolve(page.getString("name") + ".png");
            assertThat(shot).exists();
            assertThat(Files.size(shot)).isGreaterThan(1000);
        }
    }
}
