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

/** What the README promises about the answer of /oauth2/auth: its paths, the user header, the groups header's cap. */
class AuthAnswerClaimsTest {
    @TempDir
    static Path dir;
    static EntraStandIn idp;
    static ServiceUnderTest service;

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
    void groupsHeaderHoldsAtMostTheDocumentedDefaultOfAHundredGroups() {
        List<String> many = groups(101);
        HttpResponse<String> r = service.signedInAs(idp, new EntraShapedTokenCallback.User("13131313-2222-3333-4444-555555555555",
                "many@contoso.example", "Many", many)).get(service.auth());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Auth-Request-Groups")).hasValue(String.join(",", many.subList(0, 100)));
    }

    @Test
    void groupsHeaderHoldsAtMostTheConfiguredNumberOfGroups() throws Exception {
        try (ServiceUnderTest capped = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()),
                Map.of("AKS_AUTH_PROXY_GROUPS_HEADER_LIMIT", "2"))) {
            List<String> three = groups(3);
            HttpResponse<String> r = capped.signedInAs(idp, new EntraShapedTokenCallback.User("14141414-2222-3333-4444-555555555555",
                    "three@contoso.example", "Three", three)).get(capped.auth());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Auth-Request-Groups")).hasValue(three.get(0) + "," + three.get(1));
        }
    }
}
