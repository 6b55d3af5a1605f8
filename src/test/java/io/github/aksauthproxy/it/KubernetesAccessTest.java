package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Profile RBAC rules and /oauth2/whoami against a Kubernetes API server. No kube-apiserver can be had here, so the
 * API server is fabric8's kubernetes-server-mock (over HTTPS with its own certificate, given to the service as
 * AKS_AUTH_PROXY_KUBERNETES_CA_FILE); it records every request, so the tests see which token each review carried.
 */
class KubernetesAccessTest {
    static final String SSAR = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
    static final String SSR = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
    static final String AKS_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

    @TempDir
    Path dir;
    EntraStandIn idp;
    KubernetesMockServer kube;
    ServiceUnderTest service;
    final MutableClock clock = new MutableClock(Instant.now());

    @BeforeEach
    void start() throws Exception {
        idp = new EntraStandIn();
        kube = new KubernetesMockServer(true);
        kube.init(InetAddress.getLoopbackAddress(), 0);
        Path profiles = dir.resolve("profiles.yaml");
        Files.writeString(profiles, """
                profiles:
                  - name: grafana
                    scopes: ["6dae42f8-4368-4678-94ff-3960e28e3630/.default"]
                    rbac: {verb: get, resource: services, subresource: proxy, namespace: monitoring, name: grafana}
                  - name: lenient
                    scopes: ["6dae42f8-4368-4678-94ff-3960e28e3630/.default"]
                    rbac: {verb: get, resource: pods, namespace: default, on_error: allow}
                """);
        service = ServiceUnderTest.start(idp, dir, clock, Map.of(
                "AKS_AUTH_PROXY_CONFIG", profiles.toString(),
                "AKS_AUTH_PROXY_KUBERNETES_API_URL", "https://localhost:" + kube.getPort(),
                "AKS_AUTH_PROXY_KUBERNETES_CA_FILE", kube.getSelfSignedCertificate().certificatePath()));
    }

    @AfterEach
    void stop() throws Exception {
        service.close();
        kube.destroy();
        idp.close();
    }

    private TestBrowser signIn() {
        TestBrowser b = new TestBrowser(idp.trust());
        b.follow(service.start("/"));
        assertThat(b.cookies).containsKey(SignInFlowTest.SESSION);
        return b;
    }

    private void answerAccessReviews(boolean allowed, String reason) {
        kube.expect().post().withPath(SSAR).andReturn(201, Map.of("apiVersion", "authorization.k8s.io/v1", "kind", "SelfSubjectAccessReview",
                "status", Map.of("allowed", allowed, "reason", reason))).always();
    }

    /** Every request the API server stand-in received so far. */
    private List<RecordedRequest> apiRequests() throws InterruptedException {
        List<RecordedRequest> seen = new ArrayList<>();
        for (RecordedRequest r = kube.takeRequest(200, TimeUnit.MILLISECONDS); r != null; r = kube.takeRequest(200, TimeUnit.MILLISECONDS)) {
            seen.add(r);
        }
        return seen;
    }

    private static JWTClaimsSet bearerClaims(String authorization) throws Exception {
        assertThat(authorization).startsWith("Bearer ");
        return JWTParser.parse(authorization.substring(7)).getJWTClaimsSet();
    }

    @Test
    void rbacAllowedProfileIs200AndTheReviewCarriesTheUsersAksToken() throws Exception {
        answerAccessReviews(true, "");
        TestBrowser b = signIn();
        HttpResponse<String> r = b.get(service.auth() + "?profile=grafana");
        assertThat(r.statusCode()).isEqualTo(200);
        List<RecordedRequest> reviews = apiRequests();
        assertThat(reviews).hasSize(1);
        assertThat(reviews.get(0).getMethod()).isEqualTo("POST");
        assertThat(reviews.get(0).getPath()).isEqualTo(SSAR);
        assertThat(reviews.get(0).getUtf8Body()).contains("\"verb\":\"get\"", "\"resource\":\"services\"", "\"subresource\":\"proxy\"",
                "\"namespace\":\"monitoring\"", "\"name\":\"grafana\"");
        String sent = reviews.get(0).getHeader("Authorization");
        JWTClaimsSet claims = bearerClaims(sent);
        assertThat(claims.getAudience()).containsExactly(AKS_APP_ID);
        assertThat(claims.getStringClaim("oid")).isEqualTo(EntraStandIn.ALICE.oid());
        assertThat(sent).as("the user's AKS token, the one /oauth2/auth hands the ingress")
                .isEqualTo(b.get(service.auth()).headers().firstValue("Authorization").orElseThrow());
    }

    @Test
    void cachedDecisionMakesNoSecondReviewUntilItsTimeIsUp() throws Exception {
        answerAccessReviews(true, "");
        TestBrowser b = signIn();
        assertThat(b.get(service.auth() + "?profile=grafana").statusCode()).isEqualTo(200);
        assertThat(b.get(service.auth() + "?profile=grafana").statusCode()).isEqualTo(200);
        assertThat(apiRequests()).hasSize(1);
        clock.advance(Duration.ofSeconds(61));
        assertThat(b.get(service.auth() + "?profile=grafana").statusCode()).isEqualTo(200);
        assertThat(apiRequests()).as("asked again after AKS_AUTH_PROXY_ACCESS_DECISION_TTL (60s)").hasSize(1);
    }

    /**
     * The review mints the AKS token when it has run out, and that token brings the user's groups now: the header of
     * the answer is theirs even though the profile's own token was cached. Here the review's AKS token ends before the
     * profile's, so the answer's token is in hand at once while the groups changed during the review; an answer that
     * took "in hand at once" for "nothing new" carried the groups of the earlier token.
     */
    @Test
    void groupsHeaderOfAnRbacProfileIsTheGroupsTheReviewsFreshTokenBrought() throws Exception {
        answerAccessReviews(true, "");
        EntraShapedTokenCallback.User grace = new EntraShapedTokenCallback.User("77777777-3333-4333-8444-555555555555",
                "grace@contoso.example", "Grace Example", List.of(FreshGroupsTest.G1, FreshGroupsTest.G2));
        TestBrowser b = service.signedInAsFromNowOn(idp, grace);
        try {
            idp.claims.tokenLifetime(600);
            assertThat(b.get(service.auth()).statusCode()).isEqualTo(200);
            idp.claims.tokenLifetime(3600);
            HttpResponse<String> before = b.get(service.auth() + "?profile=grafana");
            assertThat(before.headers().firstValue("X-Auth-Request-Groups")).hasValue(FreshGroupsTest.G1 + "," + FreshGroupsTest.G2);
            // Removed from G2; ten minutes on, the AKS token (10 min) and the review's decision (60 s) have run out, the
            // profile's token (1 h) has not.
            idp.claims.signInAs(new EntraShapedTokenCallback.User(grace.oid(), grace.preferredUsername(), grace.name(),
                    List.of(FreshGroupsTest.G1)));
            clock.advance(Duration.ofMinutes(10));
            int refreshes = idp.tokenRequests("refresh_token").size();

            HttpResponse<String> after = b.get(service.auth() + "?profile=grafana");

            assertThat(after.statusCode()).isEqualTo(200);
            assertThat(idp.tokenRequests("refresh_token")).as("only the review's AKS token was minted").hasSize(refreshes + 1);
            assertThat(after.headers().firstValue("X-Auth-Request-Groups")).as("the groups the new AKS token brought")
                    .hasValue(FreshGroupsTest.G1);
        } finally {
            idp.claims.tokenLifetime(3600);
            idp.claims.signInAs(EntraStandIn.ALICE);
        }
    }

    @Test
    void rbacDeniedProfileIs403WithAGenericBodyAndTheReasonInTheLog() throws Exception {
        answerAccessReviews(false, "no RBAC policy matched");
        TestBrowser b = signIn();
        try (LogCapture logs = new LogCapture()) {
            HttpResponse<String> r = b.get(service.auth() + "?profile=grafana");
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).isEqualTo("forbidden");
            assertThat(r.headers().firstValue("Authorization")).isEmpty();
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=access.denied") && l.contains("profile=grafana")
                    && l.contains("AKS RBAC does not allow get services/proxy grafana in namespace monitoring (no RBAC policy matched)"));
        }
        assertThat(b.get(service.auth()).statusCode()).as("the profile without rules is unaffected").isEqualTo(200);
    }

    @Test
    void apiServerDownFailsClosedWith503UnlessTheProfileSaysOnErrorAllow() throws Exception {
        TestBrowser b = signIn();
        kube.destroy();
        HttpResponse<String> r = b.get(service.auth() + "?profile=grafana");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(r.headers().firstValue("Authorization")).isEmpty();
        assertThat(b.get(service.auth() + "?profile=lenient").statusCode()).isEqualTo(200);
    }

    @Test
    void apiServerRefusingTheUsersTokenIsADenialEvenWithOnErrorAllow() throws Exception {
        for (int refused : new int[] {401, 403}) {
            kube.reset();
            kube.expect().post().withPath(SSAR).andReturn(refused, Map.of("apiVersion", "v1", "kind", "Status", "status", "Failure",
                    "code", refused)).always();
            TestBrowser b = signIn();
            try (LogCapture logs = new LogCapture()) {
                HttpResponse<String> r = b.get(service.auth() + "?profile=lenient");
                assertThat(r.statusCode()).as("%d", refused).isEqualTo(403);
                assertThat(r.body()).isEqualTo("forbidden");
                assertThat(r.headers().firstValue("Authorization")).isEmpty();
                assertThat(logs.lines()).anyMatch(l -> l.contains("event=access.denied") && l.contains("profile=lenient")
                        && l.contains("the API server refuses the user's AKS token (" + refused + ")"));
            }
        }
    }

    @Test
    void apiServerErrorLetsOnErrorAllowPassAndFailsClosedOtherwise() throws Exception {
        kube.expect().post().withPath(SSAR).andReturn(500, Map.of("apiVersion", "v1", "kind", "Status", "status", "Failure", "code", 500))
                .always();
        TestBrowser b = signIn();
        assertThat(b.get(service.auth() + "?profile=lenient").statusCode()).isEqualTo(200);
        HttpResponse<String> strict = b.get(service.auth() + "?profile=grafana");
        assertThat(strict.statusCode()).isEqualTo(503);
        assertThat(strict.headers().firstValue("Retry-After")).hasValue("5");
    }

    @Test
    void apiServerAnswerThatIsNoReviewFailsClosedEvenWithOnErrorAllow() throws Exception {
        kube.expect().post().withPath(SSAR).andReturn(201, Map.of("apiVersion", "authorization.k8s.io/v1", "kind", "SelfSubjectAccessReview"))
                .always();
        TestBrowser b = signIn();
        HttpResponse<String> r = b.get(service.auth() + "?profile=lenient");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(r.headers().firstValue("Authorization")).isEmpty();
    }

    @Test
    void apiUrlWithAPathKeepsItForEveryCall() throws Exception {
        String prefix = "/clusters/one";
        kube.expect().post().withPath(prefix + SSAR).andReturn(201, Map.of("apiVersion", "authorization.k8s.io/v1",
                "kind", "SelfSubjectAccessReview", "status", Map.of("allowed", true))).always();
        kube.expect().post().withPath(prefix + SSR).andReturn(201, Map.of("apiVersion", "authentication.k8s.io/v1", "kind", "SelfSubjectReview",
                "status", Map.of("userInfo", Map.of("username", "alice@contoso.example")))).always();
        try (ServiceUnderTest prefixed = ServiceUnderTest.start(idp, dir, clock, Map.of(
                "AKS_AUTH_PROXY_CONFIG", dir.resolve("profiles.yaml").toString(),
                "AKS_AUTH_PROXY_KUBERNETES_API_URL", "https://localhost:" + kube.getPort() + prefix + "/",
                "AKS_AUTH_PROXY_KUBERNETES_CA_FILE", kube.getSelfSignedCertificate().certificatePath()))) {
            TestBrowser b = new TestBrowser(idp.trust());
            b.follow(prefixed.start("/"));
            assertThat(b.get(prefixed.auth() + "?profile=grafana").statusCode()).isEqualTo(200);
            assertThat(b.get(prefixed.publicUrl + "/oauth2/whoami").body())
                    .contains("<th scope=\"row\">Kubernetes user</th><td>alice@contoso.example</td>");
            assertThat(apiRequests()).extracting(RecordedRequest::getPath).contains(prefix + SSAR, prefix + SSR)
                    .allMatch(path -> path.startsWith(prefix + "/apis/"));
        }
    }

    @Test
    void whoamiShowsTheUserTheClusterIdentityAndEachProfileVerdictButNoToken() throws Exception {
        answerAccessReviews(false, "");
        kube.expect().post().withPath(SSR).andReturn(201, Map.of("apiVersion", "authentication.k8s.io/v1", "kind", "SelfSubjectReview",
                "status", Map.of("userInfo", Map.of("username", "alice@contoso.example",
                        "groups", List.of("aaaaaaaa-0000-0000-0000-000000000001", "system:authenticated"))))).always();
        TestBrowser b = signIn();
        HttpResponse<String> page = b.get(service.publicUrl + "/oauth2/whoami");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        String html = page.body();
        assertThat(html).startsWith("<!doctype html><html lang=\"en\">").contains("<h1>Who am I</h1>", "<caption>")
                .doesNotContain("<script");
        assertThat(html).contains("<th scope=\"row\">User</th><td>alice@contoso.example</td>",
                "<th scope=\"row\">Tenant</th><td>" + EntraStandIn.TENANT + "</td>",
                "aaaaaaaa-0000-0000-0000-000000000001, aaaaaaaa-0000-0000-0000-000000000002",
                "<th scope=\"row\">Kubernetes user</th><td>alice@contoso.example</td>",
                "<th scope=\"row\">Kubernetes groups</th><td>aaaaaaaa-0000-0000-0000-000000000001, system:authenticated</td>",
                "<th scope=\"row\">aks</th><td>yes</td>",
                "<th scope=\"row\">grafana</th><td>no</td>");
        List<RecordedRequest> calls = apiRequests();
        assertThat(calls).extracting(RecordedRequest::getPath).contains(SSR, SSAR);
        String token = calls.get(0).getHeader("Authorization").substring(7);
        assertThat(bearerClaims("Bearer " + token).getStringClaim("oid")).isEqualTo(EntraStandIn.ALICE.oid());
        assertThat(calls).allMatch(c -> c.getHeader("Authorization").equals("Bearer " + token));
        assertThat(html).doesNotContain(token).doesNotContain(token.substring(token.lastIndexOf('.') + 1))
                .doesNotContain(b.cookies.get(SignInFlowTest.SESSION));
    }

    @Test
    void whoamiWithoutASessionSendsTheBrowserToSignIn() {
        HttpResponse<String> r = new TestBrowser(idp.trust()).get(service.publicUrl + "/oauth2/whoami");
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).hasValue("/oauth2/start?rd=/oauth2/whoami");
    }
}
