package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group change counts from the next token minted for the session, not from the next sign-in: Entra returns an ID
 * token with every token minted from the refresh token, and its groups (or overage marker) replace the session's.
 */
class FreshGroupsTest {
    static final String G1 = "aaaaaaaa-1111-0000-0000-000000000001";
    static final String G2 = "aaaaaaaa-1111-0000-0000-000000000002";
    static final EntraShapedTokenCallback.User DAVE = new EntraShapedTokenCallback.User("dddddddd-1111-2222-3333-444444444444",
            "dave@contoso.example", "Dave", List.of(G1, G2));

    @TempDir
    static Path dir;
    static EntraStandIn idp;
    static GraphStandIn graph;
    static MutableClock clock;
    static ServiceUnderTest service;

    @BeforeAll
    static void start() {
        idp = new EntraStandIn();
    }

    /** A service of its own for each test: the test moves its clock past a token's life, after which the stand-in's sign-ins are stale. */
    @BeforeEach
    void startService() throws Exception {
        graph = new GraphStandIn(idp, 999);
        Path profiles = dir.resolve("profiles.yaml");
        Files.writeString(profiles, """
                profiles:
                  - {name: g2, scopes: [x/.default], allow: {groups: [%s]}}
                """.formatted(G2));
        Path ca = dir.resolve("idp-graph-ca.pem");
        Files.writeString(ca, Files.readString(idp.writeCaFile(dir)) + Files.readString(graph.caFile()));
        clock = new MutableClock(Instant.now());
        // Idle for longer than a token lives: the test moves the clock past one token's life.
        service = ServiceUnderTest.start(idp, dir, clock, Map.of("AKS_AUTH_PROXY_CONFIG", profiles.toString(),
                "AKS_AUTH_PROXY_SESSION_IDLE_TIMEOUT", "3h", "AKS_AUTH_PROXY_GRAPH_URL", graph.url(), "AKS_AUTH_PROXY_IDP_CA_FILE", ca.toString()));
    }

    @AfterEach
    void stopService() throws Exception {
        idp.claims.signInAs(EntraStandIn.ALICE);
        service.close();
        graph.close();
    }

    @AfterAll
    static void stop() {
        idp.close();
    }

    /** A new session of {@code user}; the stand-in answers its refresh grants as this user until the test ends. */
    static TestBrowser signIn(EntraShapedTokenCallback.User user) {
        return service.signedInAsFromNowOn(idp, user);
    }

    /** Past the life of every token the session holds (Entra's live an hour; the service keeps them until a minute before). */
    static void tokensExpire() {
        clock.advance(Duration.ofMinutes(60));
    }

    @Test
    void aGroupRemovedAtTheIdpIsSeenAfterTheNextTokenMint() {
        TestBrowser dave = signIn(DAVE);
        assertThat(dave.get(service.auth() + "?profile=g2").statusCode()).isEqualTo(200);

        idp.claims.signInAs(new EntraShapedTokenCallback.User(DAVE.oid(), DAVE.preferredUsername(), DAVE.name(), List.of(G1)));
        assertThat(dave.get(service.auth() + "?profile=g2").statusCode()).as("no new token yet: the groups it had").isEqualTo(200);

        tokensExpire();
        int refreshes = idp.tokenRequests("refresh_token").size();
        HttpResponse<String> aks = dave.get(service.auth());
        assertThat(aks.statusCode()).isEqualTo(200);
        List<Map<String, String>> minted = idp.tokenRequests("refresh_token");
        assertThat(minted).hasSize(refreshes + 1);
        assertThat(minted.get(minted.size() - 1).get("scope").split(" ")).as("so Entra returns an ID token with it").contains("openid");
        assertThat(aks.headers().firstValue("X-Auth-Request-Groups")).hasValue(G1);
        assertThat(dave.get(service.auth() + "?profile=g2").statusCode()).isEqualTo(403);
    }

    @Test
    void aGroupAddedAtTheIdpCountsAfterTheNextTokenMint() {
        TestBrowser erin = signIn(new EntraShapedTokenCallback.User("eeeeeeee-1111-2222-3333-444444444444", "erin@contoso.example", "Erin",
                List.of(G1)));
        assertThat(erin.get(service.auth() + "?profile=g2").statusCode()).isEqualTo(403);
        idp.claims.signInAs(new EntraShapedTokenCallback.User("eeeeeeee-1111-2222-3333-444444444444", "erin@contoso.example", "Erin",
                List.of(G1, G2)));
        tokensExpire();
        assertThat(erin.get(service.auth()).statusCode()).isEqualTo(200);
        assertThat(erin.get(service.auth() + "?profile=g2").statusCode()).isEqualTo(200);
    }

    @Test
    void aUserWhoGrowsIntoOverageIsAskedOfGraphAfterTheNextTokenMint() {
        List<String> many = IntStream.range(0, 201).mapToObj(i -> "aaaaaaaa-2222-0000-0000-%012d".formatted(i)).toList();
        String oid = "ffffffff-1111-2222-3333-444444444444";
        TestBrowser frank = signIn(new EntraShapedTokenCallback.User(oid, "frank@contoso.example", "Frank", List.of(G2)));
        assertThat(frank.get(service.auth() + "?profile=g2").statusCode()).isEqualTo(200);

        // Now in 201 groups, G2 no longer among them: the next token has the overage marker, and Graph has the answer.
        idp.claims.signInAs(new EntraShapedTokenCallback.User(oid, "frank@contoso.example", "Frank", many));
        graph.member(oid, many);
        tokensExpire();
        int asked = graph.calls(GraphStandIn.CHECK_MEMBER_GROUPS).size();
        assertThat(frank.get(service.auth()).statusCode()).isEqualTo(200);
        assertThat(frank.get(service.auth() + "?profile=g2").statusCode()).isEqualTo(403);
        assertThat(graph.calls(GraphStandIn.CHECK_MEMBER_GROUPS)).hasSize(asked + 1);
    }
}
