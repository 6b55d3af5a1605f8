package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The browser sign-in against the stand-in for Entra (mock-oauth2-server), end to end on loopback. */
class SignInFlowTest {
    static EntraStandIn idp;
    static ServiceUnderTest service;
    @TempDir
    static Path dir;

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

    @Test
    void fullSignInReturnsToRdAndAuthAnswersWithAksTokenForTheUser() throws Exception {
        TestBrowser browser = new TestBrowser(idp.trust());
        HttpResponse<String> start = browser.get(service.start("/dashboard?tab=pods"));
        assertThat(start.statusCode()).isEqualTo(302);
        URI authorize = URI.create(TestBrowser.location(start));
        assertThat(authorize.toString()).startsWith(idp.authorityHost() + EntraStandIn.TENANT + "/oauth2/v2.0/authorize");
        assertThat(authorize.getQuery()).contains("code_challenge_method=S256").contains("code_challenge=").contains("state=")
                .contains("nonce=").contains("response_mode=query");

        String back = browser.followUntil(authorize.toString(), service.publicUrl + "/dashboard");
        assertThat(back).isEqualTo(service.publicUrl + "/dashboard?tab=pods");

        HttpResponse<String> auth = browser.get(service.auth());
        assertThat(auth.statusCode()).isEqualTo(200);
        String bearer = auth.headers().firstValue("Authorization").orElseThrow();
        assertThat(bearer).startsWith("Bearer ");
        JWTClaimsSet token = JWTParser.parse(bearer.substring(7)).getJWTClaimsSet();
        assertThat(token.getAudience()).containsExactly("6dae42f8-4368-4678-94ff-3960e28e3630");
        assertThat(token.getStringClaim("oid")).isEqualTo(EntraStandIn.ALICE.oid());
        assertThat(auth.headers().firstValue("X-Auth-Request-User")).hasValue("alice@contoso.example");
    }
}
