package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bearer passthrough: a client without a session presents its own token from the identity provider (here the
 * stand-in, which signs with its JWKS key); only a valid one passes, and the service mints nothing for it.
 */
class BearerPassthroughTest {
    static final String AKS_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";
    static final String ISSUER_ID = EntraStandIn.TENANT + "/oauth2/v2.0";
    @TempDir
    static Path dir;
    static EntraStandIn idp;
    static ServiceUnderTest service;
    static final HttpClient http = HttpClient.newHttpClient();

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

    static Map<String, Object> claims() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("tid", EntraStandIn.TENANT);
        c.put("oid", "99999999-2222-3333-4444-555555555555");
        c.put("upn", "bob@contoso.example");
        c.put("groups", List.of("bbbbbbbb-0000-0000-0000-000000000001"));
        return c;
    }

    static String validToken() {
        return SecretsSeen.recorded(idp.server.issueToken(ISSUER_ID, "kubelogin", AKS_APP_ID, claims(), 3600).serialize());
    }



    /** Claims like the stand-in's but with {@code overrides}, signed with the stand-in's own key. */
    static String signedByIdp(Map<String, Object> overrides) {
        Map<String, Object> c = new LinkedHashMap<>(claims());
        c.put("iss", idp.issuer());
        c.put("aud", AKS_APP_ID);
        c.put("sub", "kubelogin");
        c.putAll(overrides);
        return SecretsSeen.recorded(idp.server.getConfig().getTokenProvider().jwt(c, Duration.ofHours(1), ISSUER_ID).serialize());
    }

    static HttpResponse<String> auth(String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(service.auth()));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void validTokenPassesWithTheSameAuthorizationAndIdentityHeadersFromItsClaims() throws Exception {
        String token = validToken();
        int tokenRequestsBefore = idp.tokenRequests().size();
        HttpResponse<String> r = auth("Bearer " + token);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Authorization")).hasValue("Bearer " + token);
        assertThat(r.headers().firstValue("X-Auth-Request-User")).hasValue("bob@contoso.example");
        assertThat(r.headers().firstValue("X-Auth-Request-Oid")).hasValue("99999999-2222-3333-4444-555555555555");
        assertThat(r.headers().firstValue("X-Auth-Request-Tid")).hasValue(EntraStandIn.TENANT);
        assertThat(r.headers().firstValue("X-Auth-Request-Groups")).hasValue("bbbbbbbb-0000-0000-0000-000000000001");
        assertThat(r.headers().firstValue("X-Auth-Request-Email")).hasValue("");
        assertThat(idp.tokenRequests()).as("nothing is minted for a bearer caller").hasSize(tokenRequestsBefore);
    }

    @Test
    void expiredTokenIs401() throws Exception {
        String expired = signedByIdp(Map.of("exp", Instant.now().minus(Duration.ofMinutes(10)).getEpochSecond(),
                "iat", Instant.now().minus(Duration.ofHours(1)).getEpochSecond()));
        assertThat(auth("Bearer " + validToken()).statusCode()).as("control").isEqualTo(200);
        assertRejected(expired, "Expired JWT");
    }

    @Test
    void tokenForAnotherAudienceIs401() throws Exception {
        assertRejected(SecretsSeen.recorded(idp.server.issueToken(ISSUER_ID, "kubelogin", "api://some-other-api", claims(), 3600).serialize()),
                "JWT aud claim rejected");
    }

    @Test
    void tokenFromAnotherIssuerSignedWithTheRightKeyIs401() throws Exception {
        assertThat(auth("Bearer " + signedByIdp(Map.of())).statusCode()).as("control: same key, right issuer").isEqualTo(200);
        assertRejected(signedByIdp(Map.of("iss", "https://sts.windows.net/00000000-0000-0000-0000-000000000bad/")),
                "iss claim is not an accepted issuer");
    }

    @Test
    void tokenOfAnotherJoseTypeSignedWithTheRightKeyIs401() throws Exception {
        JWTClaimsSet claims = JWTClaimsSet.parse(signedClaims());
        assertThat(auth("Bearer " + SecretsSeen.recorded(idp.signedAsTheStandIn(claims))).statusCode()).as("control: typ JWT").isEqualTo(200);
        // A logout token or a JWT-secured request object is not an access token, whatever its signature.
        assertRejected(SecretsSeen.recorded(idp.signedAsTheStandIn(claims, new com.nimbusds.jose.JOSEObjectType("logout+jwt"))), "typ");
    }

    @Test
    void unsignedAlgNoneTokenIs401() throws Exception {
        String none = new PlainJWT(JWTClaimsSet.parse(signedClaims())).serialize();
        assertThat(none).endsWith(".");
        assertRejected(none, "Unsecured (plain) JWTs are rejected");
    }

    @Test
    void hs256TokenWithThePublicKeyAsSecretIs401() throws Exception {
        RSAKey published = (RSAKey) idp.server.getConfig().getTokenProvider().publicJwkSet(ISSUER_ID).getKeys().get(0);
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(published.getKeyID()).build(),
                JWTClaimsSet.parse(signedClaims()));
        forged.sign(new MACSigner(published.toRSAPublicKey().getEncoded()));
        assertRejected(forged.serialize(), "Another algorithm expected");
    }

    @Test
    void tokenSignedWithAnUnknownKidIs401() throws Exception {
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("not-in-the-jwks").generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(stranger.getKeyID()).build(),
                JWTClaimsSet.parse(signedClaims()));
        jwt.sign(new RSASSASigner(stranger));
        assertRejected(jwt.serialize(), "no matching key(s) found");
    }

    @Test
    void noSessionAndNoBearerIs401AndGarbageBearerIs401() throws Exception {
        assertThat(auth(null).statusCode()).isEqualTo(401);
        assertThat(auth("Bearer not-a-jwt").statusCode()).isEqualTo(401);
        assertThat(auth("Basic " + validToken()).statusCode()).isEqualTo(401);
    }

    private static void assertRejected(String token, String reason) throws Exception {
        try (LogCapture logs = new LogCapture()) {
            HttpResponse<String> r = auth("Bearer " + token);
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).isEqualTo("unauthenticated");
            assertThat(r.headers().firstValue("Authorization")).isEmpty();
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=bearer.rejected") && l.contains(reason));
            assertThat(logs.lines()).noneMatch(l -> l.contains(token));
        }
    }

    /** The claims of a valid token, as a map, for forgeries that differ only in how they are signed. */
    private static Map<String, Object> signedClaims() throws Exception {
        return SignedJWT.parse(validToken()).getJWTClaimsSet().toJSONObject();
    }

}
