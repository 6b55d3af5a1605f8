package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code X-Auth-Request-Access-Token} on a 200 from /oauth2/auth: the profile's token again when the profile says
 * {@code access_token_header: true}, else present and empty, for a session and a bearer caller alike. Always
 * present, so every shipped proxy config can list it and a client's own copy never reaches the app.
 */
class AccessTokenHeaderTest {
    static final String ACCESS_TOKEN = "X-Auth-Request-Access-Token";
    @TempDir
    static Path dir;
    static EntraStandIn idp;
    static ServiceUnderTest service;

    @BeforeAll
    static void start() throws Exception {
        idp = new EntraStandIn();
        Path profiles = Files.writeString(dir.resolve("profiles.yaml"), """
                profiles:
                  - {name: with-token, scopes: [api://my-api/access_as_user], access_token_header: true}
                  - {name: without-token, scopes: [api://my-api/access_as_user]}
                """);
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of("AKS_AUTH_PROXY_CONFIG", profiles.toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
        idp.close();
    }

    private static TestBrowser signedIn() {
        TestBrowser b = new TestBrowser(idp.trust());
        b.follow(service.start("/"));
        assertThat(b.cookies).containsKey(SignInFlowTest.SESSION);
        return b;
    }

    private static HttpResponse<String> bearer(String profile, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(service.auth() + "?profile=" + profile))
                .header("Authorization", "Bearer " + token).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String bearerToken() {
        return SecretsSeen.recorded(idp.server.issueToken(BearerPassthroughTest.ISSUER_ID, "kubelogin", BearerPassthroughTest.AKS_APP_ID,
                BearerPassthroughTest.claims(), 3600).serialize());
    }

    @Test
    void aProfileWithAccessTokenHeaderSendsItsTokenAgainInXAuthRequestAccessToken() {
        HttpResponse<String> r = signedIn().get(service.auth() + "?profile=with-token");
        assertThat(r.statusCode()).isEqualTo(200);
        String authorization = r.headers().firstValue("Authorization").orElseThrow();
        assertThat(authorization).startsWith("Bearer ");
        assertThat(r.headers().allValues(ACCESS_TOKEN)).containsExactly(authorization.substring("Bearer ".length()));
    }

    @Test
    void aProfileWithoutItSendsTheHeaderPresentAndEmpty() {
        TestBrowser b = signedIn();
        for (String profile : new String[] {"without-token", "aks"}) {
            HttpResponse<String> r = b.get(service.auth() + "?profile=" + profile);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Authorization")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer ey"));
            assertThat(r.headers().allValues(ACCESS_TOKEN)).as(profile).containsExactly("");
        }
    }

    @Test
    void aBearerCallerGetsItsOwnTokenInTheHeaderOnlyWhereTheProfileEnablesIt() throws Exception {
        String token = bearerToken();
        HttpResponse<String> with = bearer("with-token", token);
        assertThat(with.statusCode()).isEqualTo(200);
        assertThat(with.headers().allValues(ACCESS_TOKEN)).containsExactly(token);

        HttpResponse<String> without = bearer("without-token", token);
        assertThat(without.statusCode()).isEqualTo(200);
        assertThat(without.headers().firstValue("Authorization")).hasValue("Bearer " + token);
        assertThat(without.headers().allValues(ACCESS_TOKEN)).containsExactly("");
    }
}
