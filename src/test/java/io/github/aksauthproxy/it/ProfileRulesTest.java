package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.CookieKey;
import io.github.aksauthproxy.session.CookieCodec;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A profile's allow rules at /oauth2/auth: 200 when they match the signed-in user, 403 when not. Address and domain
 * rules match only what Entra vouches for: the UPN of a user of the configured tenant, and an e-mail whose domain
 * Entra marks verified ({@code xms_edov}); never an e-mail anyone may set, nor another tenant's names.
 */
class ProfileRulesTest {
    static final String OTHER_TENANT = "00000000-0000-0000-0000-000000000001";
    static final EntraShapedTokenCallback.User BOB = new EntraShapedTokenCallback.User("77777777-2222-3333-4444-555555555555",
            "bob@contoso.example", "Bob", List.of());
    /** Has no mailbox, so may set any address as their e-mail (the "nOAuth" class): here Bob's. */
    static final EntraShapedTokenCallback.User MALLORY = new EntraShapedTokenCallback.User("88888888-2222-3333-4444-555555555555",
            "mallory@fabrikam.example", "Mallory", List.of()).with("email", "bob@contoso.example");
    @TempDir
    static Path dir;
    static EntraStandIn idp;
    static ServiceUnderTest service;

    @BeforeAll
    static void start() throws Exception {
        idp = new EntraStandIn();
        Path profiles = dir.resolve("profiles.yaml");
        Files.writeString(profiles, """
                profiles:
                  - {name: our-tenant, scopes: [x/.default], allow: {tenants: [%s]}}
                  - {name: other-tenant, scopes: [x/.default], allow: {tenants: [00000000-0000-0000-0000-000000000001]}}
                  - {name: alices-group, scopes: [x/.default], allow: {groups: [aaaaaaaa-0000-0000-0000-000000000002]}}
                  - {name: admins, scopes: [x/.default], allow: {groups: [cccccccc-0000-0000-0000-000000000001]}}
                  - {name: alice-by-oid, scopes: [x/.default], allow: {users: [%s]}}
                  - {name: contoso, scopes: [x/.default], allow: {users: ["@contoso.example"]}}
                  - {name: bob-only, scopes: [x/.default], allow: {users: [bob@contoso.example]}}
                """.formatted(EntraStandIn.TENANT, EntraStandIn.ALICE.oid()));
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of("AKS_AUTH_PROXY_CONFIG", profiles.toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
        idp.close();
    }

    private static TestBrowser signInAs(EntraShapedTokenCallback.User user) {
        return service.signedInAs(idp, user);
    }

    private static int status(TestBrowser b, String profile) {
        return b.get(service.auth() + "?profile=" + profile).statusCode();
    }

    private static int bearerStatus(Map<String, Object> claims, String profile) throws Exception {
        String token = SecretsSeen.recorded(idp.server.issueToken(EntraStandIn.TENANT + "/oauth2/v2.0", "kubelogin", "6dae42f8-4368-4678-94ff-3960e28e3630",
                claims, 3600).serialize());
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(service.auth() + "?profile=" + profile))
                .header("Authorization", "Bearer " + token).build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void tenantRuleAllowsTheListedTenantAndDeniesOthers() {
        TestBrowser alice = signInAs(EntraStandIn.ALICE);
        assertThat(status(alice, "our-tenant")).isEqualTo(200);
        assertThat(status(alice, "other-tenant")).isEqualTo(403);
    }

    @Test
    void groupRuleAllowsMembersAndDeniesOthers() {
        TestBrowser alice = signInAs(EntraStandIn.ALICE);
        assertThat(status(alice, "alices-group")).isEqualTo(200);
        try (LogCapture logs = new LogCapture()) {
            assertThat(status(alice, "admins")).isEqualTo(403);
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=access.denied") && l.contains("profile=admins")
                    && l.contains("no allow.groups or allow.users entry matches the user"));
        }
    }

    @Test
    void userRulesMatchObjectIdDomainAndAddress() {
        TestBrowser alice = signInAs(EntraStandIn.ALICE);
        assertThat(status(alice, "alice-by-oid")).isEqualTo(200);
        assertThat(status(alice, "contoso")).isEqualTo(200);
        assertThat(status(alice, "bob-only")).isEqualTo(403);
    }

    @Test
    void addressWithTwoAtSignsDoesNotPassADomainRule() {
        TestBrowser mallory = signInAs(new EntraShapedTokenCallback.User("66666666-2222-3333-4444-555555555555",
                "mallory@evil.example@contoso.example", "Mallory", List.of()));
        assertThat(status(mallory, "contoso")).isEqualTo(403);
        assertThat(status(mallory, "our-tenant")).as("control: the session itself is fine").isEqualTo(200);
    }

    @Test
    void userOfAnotherTenantDoesNotPassAnAddressOrDomainRuleWithTheirUpn() {
        TestBrowser foreignBob = signInAs(BOB.with("tid", OTHER_TENANT));
        try (LogCapture logs = new LogCapture()) {
            assertThat(status(foreignBob, "bob-only")).isEqualTo(403);
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=access.denied") && l.contains("profile=bob-only")
                    && l.contains("the UPN is not matched: tenant " + OTHER_TENANT + " is not the configured tenant"));
        }
        assertThat(status(foreignBob, "contoso")).isEqualTo(403);
        assertThat(status(foreignBob, "aks")).as("control: the session itself is fine").isEqualTo(200);
    }

    @Test
    void userOfAnotherTenantDoesNotPassAnAddressOrDomainRuleWithTheirPreferredUsername() {
        TestBrowser foreignBob = signInAs(BOB.with("tid", OTHER_TENANT).with("upn", null));
        assertThat(status(foreignBob, "bob-only")).isEqualTo(403);
        assertThat(status(foreignBob, "contoso")).isEqualTo(403);
        assertThat(status(foreignBob, "aks")).as("control: the session itself is fine").isEqualTo(200);
    }

    @Test
    void userOfTheConfiguredTenantPassesByPreferredUsernameWhenTheTokenHasNoUpn() {
        TestBrowser bob = signInAs(BOB.with("upn", null));
        assertThat(status(bob, "bob-only")).isEqualTo(200);
        assertThat(status(bob, "contoso")).isEqualTo(200);
    }

    @Test
    void upnWinsOverPreferredUsername() {
        TestBrowser bob = signInAs(BOB.with("upn", "bob@fabrikam.example"));
        assertThat(status(bob, "bob-only")).as("preferred_username is bob@contoso.example, but the UPN is what counts").isEqualTo(403);
    }

    @Test
    void emailSetToAVictimsAddressDoesNotPassAnAddressOrDomainRule() {
        TestBrowser mallory = signInAs(MALLORY);
        try (LogCapture logs = new LogCapture()) {
            assertThat(status(mallory, "bob-only")).isEqualTo(403);
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=access.denied") && l.contains("profile=bob-only")
                    && l.contains("the e-mail is not matched: Entra does not mark its domain verified (xms_edov)"));
        }
        assertThat(status(mallory, "contoso")).isEqualTo(403);
        assertThat(status(signInAs(MALLORY.with("xms_edov", false)), "bob-only")).isEqualTo(403);
        assertThat(status(mallory, "aks")).as("control: the session itself is fine").isEqualTo(200);
    }

    @Test
    void emailWhoseDomainEntraVerifiedPassesAnAddressOrDomainRule() {
        TestBrowser bob = signInAs(new EntraShapedTokenCallback.User("99999999-2222-3333-4444-555555555555", "bob.smith@fabrikam.example",
                "Bob", List.of()).with("email", "bob@contoso.example").with("xms_edov", true));
        assertThat(status(bob, "bob-only")).isEqualTo(200);
        assertThat(status(bob, "contoso")).isEqualTo(200);
    }

    @Test
    void sessionCookieWrittenBeforeTheEmailVerificationWasKeptCountsItsEmailAsUnverified() throws Exception {
        TestBrowser alice = signInAs(EntraStandIn.ALICE.with("email", "bob@contoso.example").with("xms_edov", true));
        assertThat(status(alice, "bob-only")).as("control: the verified e-mail matches").isEqualTo(200);
        CookieCodec codec = new CookieCodec(List.of(CookieKey.of(Base64.getDecoder().decode(ServiceUnderTest.KEY_1))));
        JsonObject payload = codec.decrypt("session", alice.cookies.get(SignInFlowTest.SESSION)).payload();
        assertThat(payload.remove("upn")).as("the field an older version did not write").isNotNull();
        assertThat(payload.remove("edov")).as("the field an older version did not write").isEqualTo(true);
        payload.remove("k");
        alice.cookies.put(SignInFlowTest.SESSION, codec.encrypt("session", payload));
        assertThat(status(alice, "bob-only")).isEqualTo(403);
        assertThat(status(alice, "contoso")).as("the user name of a user of the configured tenant still counts").isEqualTo(200);
    }

    @Test
    void bearerTokenCountsOnlyTheAddressesEntraVouchesFor() throws Exception {
        Map<String, Object> bob = Map.of("tid", EntraStandIn.TENANT, "oid", BOB.oid(), "upn", "bob@contoso.example");
        assertThat(bearerStatus(bob, "bob-only")).as("control").isEqualTo(200);
        assertThat(bearerStatus(Map.of("tid", OTHER_TENANT, "oid", BOB.oid(), "upn", "bob@contoso.example"), "bob-only")).isEqualTo(403);
        assertThat(bearerStatus(Map.of("tid", EntraStandIn.TENANT, "oid", MALLORY.oid(), "upn", "mallory@fabrikam.example",
                "email", "bob@contoso.example"), "bob-only")).isEqualTo(403);
        assertThat(bearerStatus(Map.of("tid", EntraStandIn.TENANT, "oid", MALLORY.oid(), "upn", "mallory@fabrikam.example",
                "email", "bob@contoso.example", "xms_edov", true), "bob-only")).isEqualTo(200);
    }

    @Test
    void profileNamedTwiceIs400AndTheLogSaysItWasNamedTwice() {
        TestBrowser alice = signInAs(EntraStandIn.ALICE);
        try (LogCapture logs = new LogCapture()) {
            HttpResponse<String> r = alice.get(service.auth() + "?profile=aks&profile=our-tenant");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.headers().firstValue("Authorization")).isEmpty();
            assertThat(logs.lines()).filteredOn(l -> l.contains("event=auth.bad_profile")).singleElement().satisfies(l -> assertThat(l)
                    .contains("profile=aks,our-tenant")
                    .contains("reason=the auth-url names more than one profile (profile=...&profile=...); a request names one "
                            + "profile at most, fix the ingress annotation")
                    .doesNotContain("not configured"));
        }
        try (LogCapture logs = new LogCapture()) {
            assertThat(alice.get(service.auth() + "?profile=nope").statusCode()).isEqualTo(400);
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=auth.bad_profile") && l.contains("profile=nope")
                    && l.contains("reason=the auth-url names a profile that is not configured"));
        }
    }
}
