package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users in more groups than an ID token lists (group overage): Entra leaves {@code groups} out and puts its overage
 * marker in; the service asks Microsoft Graph (here its stand-in) with the user's own Graph token, for the profiles'
 * group rules ({@code checkMemberGroups}) and for the groups header ({@code transitiveMemberOf}), keeps the answers
 * for a while, and answers 503 when Graph cannot tell, never a 403 or a 200 on a group rule.
 */
class GroupOverageTest {
    /** Carol is a direct member of 250 groups; one of them is a member of PARENT, so she is in PARENT through nesting. */
    static final String CAROL_OID = "cccccccc-1111-2222-3333-444444444444";
    static final List<String> CAROLS_GROUPS = IntStream.range(0, 250).mapToObj(i -> "cccccccc-0000-0000-0000-%012d".formatted(i)).toList();
    static final String NESTED_IN_PARENT = CAROLS_GROUPS.get(7);
    static final String PARENT = "dddddddd-0000-0000-0000-000000000001";
    static final String NOT_A_MEMBER = "eeeeeeee-0000-0000-0000-000000000001";
    static final String DIRECTORY_ROLE = "ffffffff-0000-0000-0000-000000000001";
    static final EntraShapedTokenCallback.User CAROL = new EntraShapedTokenCallback.User(CAROL_OID, "carol@contoso.example", "Carol",
            CAROLS_GROUPS);
    /** 25 ids: more than one checkMemberGroups call may carry; Carol is in the last one only. */
    static final List<String> TWENTY_FIVE = IntStream.range(0, 25)
            .mapToObj(i -> i == 24 ? CAROLS_GROUPS.get(100) : "eeeeeeee-0000-0000-0000-%012d".formatted(100 + i)).toList();

    @TempDir
    static Path dir;
    static EntraStandIn idp;
    static GraphStandIn graph;
    /** Where the overage marker's _claim_sources points: it must never be called (its certificate is trusted, so it would be). */
    static LoopbackHttpsServer claimSources;
    static MutableClock clock;
    static ServiceUnderTest service;

    @BeforeAll
    static void start() throws Exception {
        idp = new EntraStandIn();
        graph = new GraphStandIn(idp, 100);
        graph.member(CAROL_OID, CAROLS_GROUPS);
        graph.member(NESTED_IN_PARENT, List.of(PARENT));
        graph.otherObjects(CAROL_OID, List.of(DIRECTORY_ROLE));
        claimSources = new LoopbackHttpsServer((req, r) -> req.response().setStatusCode(200).end("{\"value\":[]}"));
        idp.claims.claimSourcesEndpoint(claimSources.url());
        Path profiles = dir.resolve("profiles.yaml");
        Files.writeString(profiles, """
                profiles:
                  - {name: parent-group, scopes: [x/.default], allow: {groups: [%s]}}
                  - {name: other-group, scopes: [x/.default], allow: {groups: [%s]}}
                  - {name: twenty-five, scopes: [x/.default], allow: {groups: [%s]}}
                  - {name: open, scopes: [x/.default]}
                """.formatted(PARENT, NOT_A_MEMBER, String.join(", ", TWENTY_FIVE)));
        clock = new MutableClock(Instant.now());
        service = ServiceUnderTest.start(idp, dir, clock, settings(profiles, Map.of()));
    }

    /** The stand-ins' certificates trusted, Graph pointed at its stand-in, the profiles above. */
    static Map<String, String> settings(Path profiles, Map<String, String> more) throws Exception {
        Path ca = dir.resolve("idp-graph-trap-ca.pem");
        Files.writeString(ca, Files.readString(idp.writeCaFile(dir)) + Files.readString(graph.caFile()) + Files.readString(claimSources.caFile()));
        Map<String, String> env = new java.util.HashMap<>(Map.of("AKS_AUTH_PROXY_GRAPH_URL", graph.url(),
                "AKS_AUTH_PROXY_IDP_CA_FILE", ca.toString(), "AKS_AUTH_PROXY_CONFIG", profiles.toString()));
        env.putAll(more);
        return env;
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
        graph.close();
        claimSources.close();
        idp.close();
    }

    @BeforeEach
    void graphAnswers() {
        graph.mode(new GraphStandIn.Normal());
    }

    @AfterEach
    void aliceSignsInNext() {
        idp.claims.signInAs(EntraStandIn.ALICE);
    }

    /** A new session of {@code user}; the stand-in answers its refresh grants as this user until the test ends. */
    static TestBrowser signIn(EntraShapedTokenCallback.User user) {
        return service.signedInAsFromNowOn(idp, user);
    }

    static HttpResponse<String> auth(TestBrowser b, String profile) {
        return b.get(service.auth() + "?profile=" + profile);
    }

    static long firstPages(List<LoopbackHttpsServer.Received> calls) {
        return calls.stream().filter(c -> !c.uri().contains("skiptoken")).count();
    }

    @Test
    void ruleOnAGroupTheUserIsInThroughNestingPasses() {
        TestBrowser carol = signIn(CAROL);
        int before = graph.calls(GraphStandIn.CHECK_MEMBER_GROUPS).size();
        HttpResponse<String> r = auth(carol, "parent-group");
        assertThat(r.statusCode()).isEqualTo(200);
        List<LoopbackHttpsServer.Received> asked = graph.calls(GraphStandIn.CHECK_MEMBER_GROUPS).subList(before, before + 1);
        assertThat(new JsonObject(asked.get(0).body()).getJsonArray("groupIds").getList()).containsExactly(PARENT);
        assertThat(asked.get(0).headers().get("Authorization")).startsWith("Bearer ey");
    }

    @Test
    void ruleOnAGroupTheUserIsNotInGets403() {
        TestBrowser carol = signIn(CAROL);
        try (LogCapture logs = new LogCapture()) {
            HttpResponse<String> r = auth(carol, "other-group");
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).isEqualTo("forbidden");
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=access.denied") && l.contains("profile=other-group")
                    && l.contains("groups resolved through Microsoft Graph: the user is in none of allow.groups"));
        }
    }

    @Test
    void ruleWithMoreThanTwentyGroupsIsAskedTwentyIdsAtATime() {
        TestBrowser carol = signIn(CAROL);
        int before = graph.calls(GraphStandIn.CHECK_MEMBER_GROUPS).size();
        assertThat(auth(carol, "twenty-five").statusCode()).isEqualTo(200);
        List<LoopbackHttpsServer.Received> asked = graph.calls(GraphStandIn.CHECK_MEMBER_GROUPS);
        assertThat(asked.subList(before, asked.size())).extracting(c -> new JsonObject(c.body()).getJsonArray("groupIds").size())
                .containsExactly(20, 5);
    }

    @Test
    void implicitFlowsHasgroupsMarkerIsOverageToo() {
        TestBrowser carol = signIn(CAROL.with("_claim_names", null).with("_claim_sources", null).with("hasgroups", true));
        assertThat(auth(carol, "parent-group").statusCode()).isEqualTo(200);
        assertThat(auth(carol, "other-group").statusCode()).isEqualTo(403);
    }

    @Test
    void graphDownGives503ForTheGroupRuledProfileAnd200ForAnOpenOne() {
        TestBrowser carol = signIn(CAROL);
        graph.mode(new GraphStandIn.Unreachable());
        HttpResponse<String> ruled = auth(carol, "parent-group");
        assertThat(ruled.statusCode()).isEqualTo(503);
        assertThat(ruled.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(ruled.body()).isEqualTo("access check temporarily unavailable");
        HttpResponse<String> open = auth(carol, "open");
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.headers().firstValue("Authorization")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer ey"));
        assertThat(open.headers().firstValue("X-Auth-Request-Groups")).hasValue("");
        assertThat(open.headers().firstValue("X-Auth-Request-Groups-Truncated")).hasValue("true");
        assertThat(auth(carol, "aks").statusCode()).isEqualTo(200);
    }

    @Test
    void throttlingGraphsRetryAfterIsTheRetryAfterOfThe503AndGraphIsNotAskedBeforeIt() {
        TestBrowser carol = signIn(CAROL);
        graph.mode(new GraphStandIn.Throttling(42));
        HttpResponse<String> first = auth(carol, "parent-group");
        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(first.headers().firstValue("Retry-After")).hasValue("42");
        int asked = graph.calls(GraphStandIn.CHECK_MEMBER_GROUPS).size();
        graph.mode(new GraphStandIn.Normal());
        clock.advance(Duration.ofSeconds(30));
        HttpResponse<String> second = auth(carol, "parent-group");
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(second.headers().firstValue("Retry-After")).hasValue("12");
        assertThat(graph.calls(GraphStandIn.CHECK_MEMBER_GROUPS)).as("no call before Graph's Retry-After").hasSize(asked);
        clock.advance(Duration.ofSeconds(13));
        assertThat(auth(carol, "parent-group").statusCode()).isEqualTo(200);
        assertThat(graph.calls(GraphStandIn.CHECK_MEMBER_GROUPS)).hasSize(asked + 1);
    }

    @Test
    void graphRefusingForWantOfConsentGives503AndTheLogNamesThePermission() {
        TestBrowser carol = signIn(CAROL);
        graph.mode(new GraphStandIn.RefusingConsent());
        try (LogCapture logs = new LogCapture()) {
            HttpResponse<String> r = auth(carol, "parent-group");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).hasValue("60");
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=access.unavailable") && l.contains("profile=parent-group")
                    && l.contains("Microsoft Graph answered 403 Authorization_RequestDenied to /v1.0/me/checkMemberGroups")
                    && l.contains("the app registration needs the delegated permission User.Read of Microsoft Graph, with admin consent "
                            + "(https://graph.microsoft.com/User.Read)"));
        }
        assertThat(auth(carol, "open").headers().firstValue("X-Auth-Request-Groups-Truncated")).hasValue("true");
    }

    @Test
    void fiftyRequestsMakeOneGraphCallEachAndTheAnswersExpireAfterTheCacheTime() {
        TestBrowser carol = signIn(CAROL);
        int checks = graph.calls(GraphStandIn.CHECK_MEMBER_GROUPS).size();
        long lists = firstPages(graph.calls(GraphStandIn.TRANSITIVE_GROUPS));
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(URI.create(service.auth() + "?profile=parent-group")).header("Cookie", carol.cookieHeader()).build();
        List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, 50)
                .mapToObj(i -> http.sendAsync(req, HttpResponse.BodyHandlers.ofString())).toList();
        assertThat(calls.stream().map(CompletableFuture::join)).allMatch(r -> r.statusCode() == 200);
        assertThat(graph.calls(GraphStandIn.CHECK_MEMBER_GROUPS)).hasSize(checks + 1);
        assertThat(firstPages(graph.calls(GraphStandIn.TRANSITIVE_GROUPS))).isEqualTo(lists + 1);

        clock.advance(Duration.ofMinutes(9));
        assertThat(auth(carol, "parent-group").statusCode()).isEqualTo(200);
        assertThat(graph.calls(GraphStandIn.CHECK_MEMBER_GROUPS)).as("kept for 10 minutes").hasSize(checks + 1);

        // Carol's group leaves PARENT: seen once the answer is older than the cache time.
        graph.removeMember(NESTED_IN_PARENT, PARENT);
        try {
            assertThat(auth(carol, "parent-group").statusCode()).isEqualTo(200);
            clock.advance(Duration.ofMinutes(1));
            assertThat(auth(carol, "parent-group").statusCode()).isEqualTo(403);
            assertThat(graph.calls(GraphStandIn.CHECK_MEMBER_GROUPS)).hasSize(checks + 2);
        } finally {
            graph.member(NESTED_IN_PARENT, List.of(PARENT));
        }
    }

    @Test
    void groupsHeaderOfAUserInOverageHoldsTheRuleGroupsTheyAreInAndIsMarkedTruncated() {
        TestBrowser carol = signIn(CAROL);
        HttpResponse<String> r = auth(carol, "open");
        assertThat(r.statusCode()).isEqualTo(200);
        // In the order Graph gave them: her direct groups, then the one she is in through nesting.
        assertThat(r.headers().firstValue("X-Auth-Request-Groups")).hasValue(CAROLS_GROUPS.get(100) + "," + PARENT);
        assertThat(r.headers().firstValue("X-Auth-Request-Groups-Truncated")).hasValue("true");
    }

    @Test
    void groupsHeaderUnderABiggerCapIsEveryGroupGraphGivesAndNoDirectoryRole() throws Exception {
        try (ServiceUnderTest roomy = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), settings(dir.resolve("profiles.yaml"),
                Map.of("AKS_AUTH_PROXY_GROUPS_HEADER_LIMIT", "1000", "AKS_AUTH_PROXY_GROUPS_HEADER_MAX_BYTES", "32768")))) {
            TestBrowser carol = roomy.signedInAsFromNowOn(idp, CAROL);
            int pages = graph.calls(GraphStandIn.TRANSITIVE_GROUPS).size();
            HttpResponse<String> r = carol.get(roomy.auth() + "?profile=open");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Auth-Request-Groups").orElseThrow().split(","))
                    .containsExactlyInAnyOrderElementsOf(graph.transitiveGroups(CAROL_OID)).hasSize(251).doesNotContain(DIRECTORY_ROLE);
            assertThat(r.headers().firstValue("X-Auth-Request-Groups-Truncated")).hasValue("false");
            assertThat(graph.calls(GraphStandIn.TRANSITIVE_GROUPS)).as("three pages of 100").hasSize(pages + 3);
            assertThat(graph.calls(GraphStandIn.GET_MEMBER_OBJECTS)).isEmpty();
        }
    }

    @Test
    void whoamiSaysTheGroupsWereResolvedThroughGraphOrWhyNot() {
        TestBrowser carol = signIn(CAROL);
        String page = carol.get(service.publicUrl + "/oauth2/whoami").body();
        assertThat(page).contains("<th scope=\"row\">Groups</th><td>groups resolved through Microsoft Graph (251): ")
                .contains(PARENT).contains("<th scope=\"row\">parent-group</th><td>yes</td><td>the allow rules match (groups resolved "
                        + "through Microsoft Graph)</td>");

        TestBrowser refused = signIn(CAROL);
        graph.mode(new GraphStandIn.RefusingConsent());
        String why = refused.get(service.publicUrl + "/oauth2/whoami").body();
        assertThat(why).contains("<th scope=\"row\">Groups</th><td>more than the token can list, and Microsoft Graph cannot tell them "
                + "now: Microsoft Graph answered 403 Authorization_RequestDenied to /v1.0/me/transitiveMemberOf/microsoft.graph.group: the "
                + "app registration needs the delegated permission User.Read of Microsoft Graph, with admin consent")
                .contains("<th scope=\"row\">parent-group</th><td>unknown: it cannot be checked now</td>");
    }

    @Test
    void nextPageOutsideGraphIsNeverFollowed() {
        TestBrowser carol = signIn(CAROL);
        graph.mode(new GraphStandIn.NextPageElsewhere(claimSources.url() + GraphStandIn.TRANSITIVE_GROUPS + "?$skiptoken=100"));
        HttpResponse<String> r = auth(carol, "open");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Auth-Request-Groups-Truncated")).hasValue("true");
        assertThat(claimSources.received()).isEmpty();
    }

    @Test
    void theEndpointTheOverageMarkerNamesIsNeverCalled() {
        TestBrowser carol = signIn(CAROL);
        assertThat(auth(carol, "parent-group").statusCode()).isEqualTo(200);
        assertThat(auth(carol, "open").statusCode()).isEqualTo(200);
        assertThat(carol.get(service.publicUrl + "/oauth2/whoami").statusCode()).isEqualTo(200);
        assertThat(claimSources.received()).isEmpty();
    }

    @Test
    void aUserWhoseTokenListsTheirGroupsNeverCausesAGraphCall() {
        int before = graph.calls().size();
        TestBrowser alice = signIn(EntraStandIn.ALICE);
        HttpResponse<String> r = auth(alice, "open");
        assertThat(r.headers().firstValue("X-Auth-Request-Groups")).hasValue(String.join(",", EntraStandIn.ALICE.groups()));
        assertThat(r.headers().firstValue("X-Auth-Request-Groups-Truncated")).hasValue("false");
        assertThat(auth(alice, "other-group").statusCode()).isEqualTo(403);
        assertThat(graph.calls()).hasSize(before);
    }

    @Test
    void noConsentForTheGraphTokenGives503AndTheLogNamesThePermission() {
        TestBrowser carol = signIn(CAROL);
        int asked = graph.calls().size();
        idp.answerTokenRequests("refresh_token", EntraStandIn.entraError(400, "invalid_grant", "AADSTS65001", "consent_required", null));
        try (LogCapture logs = new LogCapture()) {
            HttpResponse<String> r = auth(carol, "parent-group");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=access.unavailable") && l.contains("profile=parent-group")
                    && l.contains("Entra has no consent for https://graph.microsoft.com/User.Read")
                    && l.contains("grant admin consent for the delegated permission User.Read of Microsoft Graph to the app registration"));
        } finally {
            idp.answerTokenRequestsNormally();
        }
        assertThat(graph.calls()).as("no Graph token, no call").hasSize(asked);
    }

    /** A bearer caller brings its own token and gets none minted, so its groups are never asked of Graph. */
    @Test
    void aBearerTokenInOverageMatchesNoGroupRuleAndItsGroupsHeaderSaysItIsTruncated() throws Exception {
        String token = SecretsSeen.recorded(idp.server.issueToken(EntraStandIn.TENANT + "/oauth2/v2.0", "kubelogin",
                "6dae42f8-4368-4678-94ff-3960e28e3630", Map.of("oid", CAROL_OID, "tid", EntraStandIn.TENANT, "preferred_username", "carol@contoso.example",
                        "_claim_names", Map.of("groups", "src1"), "_claim_sources", Map.of("src1", Map.of("endpoint", claimSources.url()))), 3600)
                .serialize());
        int asked = graph.calls().size();
        HttpClient http = HttpClient.newHttpClient();
        try (LogCapture logs = new LogCapture()) {
            HttpResponse<String> ruled = http.send(HttpRequest.newBuilder(URI.create(service.auth() + "?profile=parent-group"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ruled.statusCode()).isEqualTo(403);
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=access.denied") && l.contains("via=bearer")
                    && l.contains("a bearer caller's groups are not asked of Microsoft Graph"));
        }
        HttpResponse<String> open = http.send(HttpRequest.newBuilder(URI.create(service.auth() + "?profile=open"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.headers().firstValue("X-Auth-Request-Groups")).hasValue("");
        assertThat(open.headers().firstValue("X-Auth-Request-Groups-Truncated")).hasValue("true");
        assertThat(graph.calls()).hasSize(asked);
        assertThat(claimSources.received()).isEmpty();
    }
}
