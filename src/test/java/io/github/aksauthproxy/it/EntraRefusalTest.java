package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What /oauth2/auth does when Entra refuses a session's token request: a missing consent is a refusal, a
 * Conditional Access challenge gets one sign-in carrying its claims and the profile's scope, interaction_required
 * ends the session, and no refusal sends the browser round the sign-in more than once.
 */
class EntraRefusalTest {
    static final String AKS_SCOPE = "6dae42f8-4368-4678-94ff-3960e28e3630/.default";
    static final String CLAIMS = "{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"5a5b5c5d-0000-0000-0000-000000000001\"]}}}";
    @TempDir
    Path dir;
    EntraStandIn idp;
    ServiceUnderTest service;

    @BeforeEach
    void start() throws Exception {
        idp = new EntraStandIn();
        Path profiles = dir.resolve("profiles.yaml");
        Files.writeString(profiles, """
                profiles:
                  - {name: graph, scopes: [https://graph.microsoft.com/.default]}
                """);
        Map<String, String> settings = new java.util.HashMap<>(sessionStore());
        settings.put("AKS_AUTH_PROXY_CONFIG", profiles.toString());
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), settings);
    }

    /** The session store's settings: the cookie store here, Redis in {@link RedisEntraRefusalTest}. */
    Map<String, String> sessionStore() {
        return Map.of();
    }

    @AfterEach
    void stop() throws Exception {
        service.close();
        idp.close();
    }

    private TestBrowser signIn() {
        TestBrowser b = new TestBrowser(idp.trust());
        assertThat(b.followUntil(service.start("/app"), service.publicUrl + "/app")).isEqualTo(service.publicUrl + "/app");
        assertThat(b.cookies).containsKey(SignInFlowTest.SESSION);
        return b;
    }

    /**
     * ingress-nginx and the browser together: the auth subrequest, and on 401 the {@code auth-signin} redirect
     * through Entra and back, at most {@code rounds} times. Returns the last auth answer.
     */
    private HttpResponse<String> throughTheIngress(TestBrowser b, int rounds) {
        HttpResponse<String> r = b.get(service.auth());
        for (int i = 0; i < rounds && r.statusCode() == 401; i++) {
            b.followUntil(service.start("/app"), service.publicUrl + "/app");
            r = b.get(service.auth());
        }
        return r;
    }

    @Test
    void missingConsentIs403NamingTheScopeAndNeverASignIn() {
        TestBrowser b = signIn();
        idp.answerTokenRequests("refresh_token", EntraStandIn.entraError(400, "invalid_grant", "AADSTS65001", "consent_required", null));
        try (LogCapture logs = new LogCapture()) {
            HttpResponse<String> r = throughTheIngress(b, 3);
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).isEqualTo("forbidden: consent is missing for " + AKS_SCOPE
                    + "; an administrator must grant it to this app (AADSTS65001)");
            assertThat(r.headers().firstValue("X-Auth-Refusal-Code")).as("for the error page behind NGINX").hasValue("AADSTS65001");
            assertThat(r.headers().firstValue("Authorization")).isEmpty();
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=token.consent_required") && l.contains("scope=" + AKS_SCOPE)
                    && l.contains("AADSTS65001"));
        }
        assertThat(idp.authorizeRequests()).as("only the first sign-in").hasSize(1);
        assertThat(b.get(service.auth()).statusCode()).isEqualTo(403);
        assertThat(idp.tokenRequests("refresh_token")).as("the refusal is remembered").hasSize(1);
    }

    @Test
    void claimsChallengeLeadsToOneSignInCarryingTheClaimsAndTheProfilesScope() {
        TestBrowser b = signIn();
        idp.answerTokenRequests("refresh_token", EntraStandIn.entraError(400, "invalid_grant", "AADSTS50076", "basic_action", CLAIMS));
        HttpResponse<String> refused = b.get(service.auth());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).isEqualTo("unauthenticated");

        HttpResponse<String> start = b.get(service.start("/app"));
        assertThat(start.statusCode()).isEqualTo(302);
        URI authorize = URI.create(TestBrowser.location(start));
        Map<String, String> q = SignInFlowTest.query(authorize);
        assertThat(q).containsEntry("scope", "openid profile offline_access " + AKS_SCOPE).containsEntry("claims", CLAIMS);

        idp.answerTokenRequestsNormally();
        assertThat(b.followUntil(authorize.toString(), service.publicUrl + "/app")).isEqualTo(service.publicUrl + "/app");
        HttpResponse<String> r = b.get(service.auth());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Authorization")).isPresent();
    }

    static Stream<Arguments> refusalsThatPersist() {
        return Stream.of(
                Arguments.of("MFA claims challenge", EntraStandIn.entraError(400, "invalid_grant", "AADSTS50076", "basic_action", CLAIMS), CLAIMS),
                Arguments.of("blocked by Conditional Access", EntraStandIn.entraError(400, "invalid_grant", "AADSTS53003", null, CLAIMS), CLAIMS),
                Arguments.of("MFA registration without claims", EntraStandIn.entraError(400, "invalid_grant", "AADSTS50079", "basic_action", null), null),
                Arguments.of("interaction_required", EntraStandIn.entraError(400, "interaction_required", "AADSTS50079", null, null), null),
                Arguments.of("refresh token revoked", EntraStandIn.entraError(400, "invalid_grant", "AADSTS50173", null, null), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusalsThatPersist")
    void aRefusalThatOutlastsTheSignInIs403AfterExactlyOneSignIn(String what, MockResponse refusal, String claims) {
        TestBrowser b = signIn();
        idp.answerTokenRequests("refresh_token", refusal);
        HttpResponse<String> r = throughTheIngress(b, 5);
        assertThat(r.statusCode()).isEqualTo(403);
        String aadsts = refusal.getBody().readUtf8().replaceAll("(?s).*\"(AADSTS\\d+):.*", "$1");
        assertThat(r.body()).isEqualTo("forbidden: Microsoft Entra ID still refuses a token for profile aks after a new sign-in ("
                + aadsts + "); ask an administrator");
        List<Map<String, String>> signIns = idp.authorizeRequests();
        assertThat(signIns).as("the first sign-in and one more").hasSize(2);
        assertThat(signIns.get(1)).containsEntry("scope", "openid profile offline_access " + AKS_SCOPE);
        if (claims != null) {
            assertThat(signIns.get(1)).containsEntry("claims", claims);
        } else {
            assertThat(signIns.get(1)).doesNotContainKey("claims");
        }
        assertThat(b.get(service.auth()).statusCode()).as("and stays a refusal").isEqualTo(403);
    }

    @Test
    void interactionRequiredFromEntraEndsTheSession() {
        TestBrowser b = signIn();
        assertThat(b.get(service.auth()).statusCode()).isEqualTo(200);
        idp.answerTokenRequests("refresh_token", EntraStandIn.entraError(400, "interaction_required", "AADSTS50079", null, null));
        List<String> lines = new ArrayList<>();
        try (LogCapture logs = new LogCapture()) {
            HttpResponse<String> r = b.get(service.auth() + "?profile=graph");
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).isEqualTo("unauthenticated");
            lines.addAll(logs.lines());
        }
        assertThat(lines).anyMatch(l -> l.contains("event=session.ended") && l.contains("interaction_required"));
        HttpResponse<String> aks = b.get(service.auth());
        assertThat(aks.statusCode()).as("the token cached for the other profile is gone with the session").isEqualTo(401);
        assertThat(aks.headers().firstValue("Authorization")).isEmpty();
        assertThat(idp.tokenRequests("refresh_token")).as("the aks token, the refused graph token, nothing since").hasSize(2);
    }
}
