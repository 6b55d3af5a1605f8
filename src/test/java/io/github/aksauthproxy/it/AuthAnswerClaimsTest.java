package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the README promises about the answer of /oauth2/auth: its paths, the user header, the groups header's bounds. */
class AuthAnswerClaimsTest {
    @TempDir
    static Path dir;
    static EntraStandIn idp;
    static ServiceUnderTest service;

    @BeforeAll
    static void start() throws Exception {
        idp = new EntraStandIn();
        java.nio.file.Files.writeString(dir.resolve("profiles.yaml"), """
                profiles:
                  - {name: ruled, scopes: [x/.default], allow: {groups: [aaaaaaaa-0000-0000-0000-000000000002, aaaaaaaa-0000-0000-0000-000000000005]}}
                """);
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), profiles());
    }

    /** A profile whose rule names two of the groups below: the groups a cut header keeps. */
    private static Map<String, String> profiles() {
        return Map.of("AKS_AUTH_PROXY_CONFIG", dir.resolve("profiles.yaml").toString());
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
        idp.close();
    }

    private static List<String> groups(int count) {
        return IntStream.range(0, count).mapToObj(i -> "aaaaaaaa-0000-0000-0000-%012d".formatted(i)).toList();
    }

    @Test
    void anyPathBelowTheAuthEndpointIsAnsweredLikeTheEndpoint() {
        TestBrowser alice = service.signedInAs(idp, EntraStandIn.ALICE);
        HttpResponse<String> plain = alice.get(service.auth());
        HttpResponse<String> below = alice.get(service.auth() + "/api/v1/namespaces?watch=1");
        assertThat(below.statusCode()).isEqualTo(200);
        for (String h : List.of("Authorization", "X-Auth-Request-User", "X-Auth-Request-Groups", "X-Auth-Request-Oid", "X-Auth-Request-Tid")) {
            assertThat(below.headers().allValues(h)).as(h).isEqualTo(plain.headers().allValues(h)).hasSize(1);
        }
        HttpResponse<String> stranger = new TestBrowser(idp.trust()).get(service.auth() + "/api/v1/namespaces");
        assertThat(stranger.statusCode()).isEqualTo(401);
        assertThat(stranger.body()).isEqualTo("unauthenticated");
    }

    @Test
    void userHeaderIsTheObjectIdWhenTheTokenHasNoPreferredUsername() {
        EntraShapedTokenCallback.User nameless = new EntraShapedTokenCallback.User("12121212-2222-3333-4444-555555555555", null, "Nameless",
                List.of()).with("preferred_username", null).with("upn", null);
        HttpResponse<String> r = service.signedInAs(idp, nameless).get(service.auth());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Auth-Request-User")).hasValue("12121212-2222-3333-4444-555555555555");
        assertThat(r.headers().firstValue("X-Auth-Request-Preferred-Username")).hasValue("12121212-2222-3333-4444-555555555555");
    }

    @Test
    void groupsHeaderHoldsAllOfAHundredGroupsTheDocumentedDefault() {
        List<String> hundred = groups(100);
        HttpResponse<String> r = service.signedInAs(idp, new EntraShapedTokenCallback.User("13131313-2222-3333-4444-555555555555",
                "many@contoso.example", "Many", hundred)).get(service.auth());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Auth-Request-Groups")).hasValue(String.join(",", hundred));
        assertThat(r.headers().firstValue("X-Auth-Request-Groups-Truncated")).hasValue("false");
    }

    @Test
    void overTheDefaultHundredGroupsTheHeaderHoldsTheRuleGroupsAndSaysItIsTruncated() {
        HttpResponse<String> r = service.signedInAs(idp, new EntraShapedTokenCallback.User("13131313-2222-3333-4444-555555555555",
                "many@contoso.example", "Many", groups(101))).get(service.auth());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Auth-Request-Groups")).hasValue("aaaaaaaa-0000-0000-0000-000000000002,aaaaaaaa-0000-0000-0000-000000000005");
        assertThat(r.headers().firstValue("X-Auth-Request-Groups-Truncated")).hasValue("true");
    }

    @Test
    void overTheConfiguredNumberOfGroupsTheHeaderHoldsTheRuleGroupsAndSaysItIsTruncated() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(profiles());
        env.put("AKS_AUTH_PROXY_GROUPS_HEADER_LIMIT", "2");
        try (ServiceUnderTest capped = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), env)) {
            List<String> three = groups(3);
            HttpResponse<String> r = capped.signedInAs(idp, new EntraShapedTokenCallback.User("14141414-2222-3333-4444-555555555555",
                    "three@contoso.example", "Three", three)).get(capped.auth());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Auth-Request-Groups")).hasValue(three.get(2));
            assertThat(r.headers().firstValue("X-Auth-Request-Groups-Truncated")).hasValue("true");
        }
    }
}
