package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A profile's allow rules at /oauth2/auth: 200 when they match the signed-in user, 403 when not. */
class ProfileRulesTest {
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
        idp.claims.signInAs(user);
        TestBrowser b = new TestBrowser(idp.trust());
        b.follow(service.start("/"));
        idp.claims.signInAs(EntraStandIn.ALICE);
        assertThat(b.cookies).containsKey(SignInFlowTest.SESSION);
        return b;
    }

    private static int status(TestBrowser b, String profile) {
        return b.get(service.auth() + "?profile=" + profile).statusCode();
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
}
