package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The groups header an app receives through real nginx (configured as ingress-nginx renders the shipped example) never
 * exceeds the byte cap, whether the groups came from the ID token or, for a user in group overage, from Microsoft
 * Graph; when cut, it holds the rules' groups the user is in, and the app is told so.
 */
class GroupsHeaderThroughNginxTest {
    static final int CAP = 256;
    static final String PARENT = GroupOverageTest.PARENT;
    /** Ten of Carol's direct groups and the one she is in through nesting: 11 ids, 406 bytes, more than the cap. */
    static final List<String> RULE_GROUPS = new ArrayList<>(IntStream.range(0, 10).mapToObj(i -> GroupOverageTest.CAROLS_GROUPS.get(20 * i))
            .toList());

    @TempDir
    static Path dir;
    static EntraStandIn idp;
    static GraphStandIn graph;
    static ServiceUnderTest service;
    static EchoUpstream echo;
    static ProxyProcess nginx;

    @BeforeAll
    static void start() throws Exception {
        RULE_GROUPS.add(PARENT);
        idp = new EntraStandIn();
        graph = new GraphStandIn(idp, 999);
        graph.member(GroupOverageTest.CAROL_OID, GroupOverageTest.CAROLS_GROUPS);
        graph.member(GroupOverageTest.NESTED_IN_PARENT, List.of(PARENT));
        Path profiles = dir.resolve("profiles.yaml");
        Files.writeString(profiles, "profiles:\n  - {name: ruled, scopes: [x/.default], allow: {groups: [" + String.join(", ", RULE_GROUPS)
                + "]}}\n");
        Path ca = dir.resolve("idp-graph-ca.pem");
        Files.writeString(ca, Files.readString(idp.writeCaFile(dir)) + Files.readString(graph.caFile()));
        int port = ServiceUnderTest.freePort();
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of(
                "AKS_AUTH_PROXY_REDIRECT_URL", "http://127.0.0.1:" + port + "/oauth2/callback",
                "AKS_AUTH_PROXY_ALLOWED_REDIRECT_DOMAINS", "127.0.0.1:" + port,
                "AKS_AUTH_PROXY_CONFIG", profiles.toString(), "AKS_AUTH_PROXY_GRAPH_URL", graph.url(), "AKS_AUTH_PROXY_IDP_CA_FILE", ca.toString(),
                "AKS_AUTH_PROXY_GROUPS_HEADER_MAX_BYTES", Integer.toString(CAP)));
        echo = EchoUpstream.start(service.vertx);
        nginx = NginxIngress.start(dir, "127.0.0.1", port, service.config.publicPort(), service.config.internalPort(), echo.port());
    }

    @AfterAll
    static void stop() throws Exception {
        nginx.close();
        echo.close();
        service.close();
        graph.close();
        idp.close();
    }

    @AfterEach
    void aliceSignsInNext() {
        idp.claims.signInAs(EntraStandIn.ALICE);
    }

    /** What the app receives of a user who signed in through nginx and sends {@code X-Auth-Request-Groups-Truncated: false} themselves. */
    static JsonObject appSees(EntraShapedTokenCallback.User user) {
        idp.claims.signInAs(user);
        TestBrowser b = new TestBrowser(idp.trust());
        b.defaultHeaders.put("Accept", "text/html");
        assertThat(b.follow(nginx.url + "/app").statusCode()).isEqualTo(200);
        HttpResponse<String> r = b.get(nginx.url + "/app", Map.of("X-Auth-Request-Groups-Truncated", "false",
                "X-Auth-Request-Groups", String.join(",", GroupOverageTest.CAROLS_GROUPS)));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Echo")).hasValue("upstream");
        return new JsonObject(r.body());
    }

    @Test
    void groupsOfAUserInOverageFromGraphNeverExceedTheCap() {
        JsonObject seen = appSees(GroupOverageTest.CAROL);
        List<String> header = EchoUpstream.header(seen, "X-Auth-Request-Groups");
        assertThat(header).singleElement().satisfies(v -> assertThat(v.length()).isLessThanOrEqualTo(CAP));
        // Six ids of 36 characters and their commas are 221 bytes, seven 258; which six is Graph's order.
        assertThat(header.get(0).split(",")).hasSize(6).doesNotHaveDuplicates().allSatisfy(id -> assertThat(RULE_GROUPS).contains(id));
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-Groups-Truncated")).containsExactly("true");
    }

    @Test
    void groupsFromTheIdTokenNeverExceedTheCapEither() {
        List<String> hundredFifty = GroupOverageTest.CAROLS_GROUPS.subList(0, 150);
        JsonObject seen = appSees(new EntraShapedTokenCallback.User("abababab-2222-3333-4444-555555555555", "hank@contoso.example", "Hank",
                hundredFifty));
        List<String> header = EchoUpstream.header(seen, "X-Auth-Request-Groups");
        assertThat(header).singleElement().satisfies(v -> assertThat(v.length()).isLessThanOrEqualTo(CAP));
        assertThat(header.get(0).split(",")).containsExactlyElementsOf(RULE_GROUPS.subList(0, 6));
        assertThat(EchoUpstream.header(seen, "X-Auth-Request-Groups-Truncated")).containsExactly("true");
    }
}
