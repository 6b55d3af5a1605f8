package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How /oauth2/auth gets tokens from the IdP: single flight, the rotating assertion, and IdP failures. */
class TokenAcquisitionTest {
    @TempDir
    Path dir;
    EntraStandIn idp;
    ServiceUnderTest service;

    @BeforeEach
    void start() throws Exception {
        idp = new EntraStandIn();
        service = ServiceUnderTest.start(idp, dir, new MutableClock(Instant.now()), Map.of(), ServiceUnderTest.HALFWAY_JITTER);
    }

    @AfterEach
    void stop() throws Exception {
        service.close();
        idp.close();
    }

    private TestBrowser signIn() {
        TestBrowser b = new TestBrowser(idp.trust());
        b.follow(service.start("/"));
        assertThat(b.cookies).containsKey(SignInFlowTest.SESSION);
        return b;
    }

    @Test
    void fiftyConcurrentAuthCallsForOneSessionMakeExactlyOneTokenRequest() throws Exception {
        TestBrowser b = signIn();
        assertThat(idp.tokenRequests("refresh_token")).isEmpty();
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(URI.create(service.auth())).header("Cookie", b.cookieHeader()).build();
        List<CompletableFuture<HttpResponse<String>>> calls = IntStream.range(0, 50)
                .mapToObj(i -> http.sendAsync(req, HttpResponse.BodyHandlers.ofString())).toList();
        List<HttpResponse<String>> answers = calls.stream().map(CompletableFuture::join).toList();
        assertThat(answers).allMatch(r -> r.statusCode() == 200);
        assertThat(answers.stream().map(r -> r.headers().firstValue("Authorization").orElseThrow()).distinct()).hasSize(1);
        assertThat(idp.tokenRequests("refresh_token")).hasSize(1);

        assertThat(b.get(service.auth()).statusCode()).isEqualTo(200);
        assertThat(idp.tokenRequests("refresh_token")).as("a cached token makes no IdP call").hasSize(1);
    }

    @Test
    void rewrittenTokenFileIsTheAssertionOfTheNextIdpRequest() throws Exception {
        TestBrowser b = signIn();
        List<Map<String, String>> codeRedemption = idp.tokenRequests("authorization_code");
        assertThat(codeRedemption).hasSize(1);
        assertThat(jti(codeRedemption.get(0).get("client_assertion"))).isEqualTo("first");
        assertThat(codeRedemption.get(0)).containsEntry("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                .doesNotContainKey("client_secret");

        ServiceUnderTest.writeAssertion(service.tokenFile, "second", service.clock);
        assertThat(b.get(service.auth()).statusCode()).isEqualTo(200);
        List<Map<String, String>> refresh = idp.tokenRequests("refresh_token");
        assertThat(refresh).hasSize(1);
        assertThat(jti(refresh.get(0).get("client_assertion"))).isEqualTo("second");
        assertThat(refresh.get(0).get("scope")).contains("6dae42f8-4368-4678-94ff-3960e28e3630/.default");
    }

    @Test
    void tokenIsRenewedByItsOwnExpiryNotTheSessionAge() throws Exception {
        idp.claims.tokenLifetime(600);
        TestBrowser b = signIn();
        String first = b.get(service.auth()).headers().firstValue("Authorization").orElseThrow();
        // The stand-in stamps exp from real time while the service's clock moves on; later tokens get a long life.
        idp.claims.tokenLifetime(3600);
        service.clock.advance(Duration.ofMinutes(3));
        assertThat(b.get(service.auth()).headers().firstValue("Authorization")).hasValue(first);
        assertThat(idp.tokenRequests("refresh_token")).hasSize(1);
        service.clock.advance(Duration.ofMinutes(3));
        // Within five minutes of exp: still served, and renewed in the background.
        assertThat(b.get(service.auth()).headers().firstValue("Authorization")).hasValue(first);
        // The renewed token replaces the old one as soon as the background request completes.
        String renewed = first;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (renewed.equals(first) && System.nanoTime() < deadline) {
            renewed = b.get(service.auth()).headers().firstValue("Authorization").orElseThrow();
        }
        assertThat(renewed).isNotEqualTo(first);
        assertThat(idp.tokenRequests("refresh_token")).hasSize(2);
    }

    @Test
    void refreshTokenTheIdpRejectsEndsTheSessionWith401() {
        TestBrowser b = new TestBrowser(idp.trust());
        b.cookies.put(SignInFlowTest.SESSION, sessionCookieWithRefreshToken("revoked-or-unknown-refresh-token"));
        try (LogCapture logs = new LogCapture()) {
            assertThat(b.get(service.auth()).statusCode()).isEqualTo(401);
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=session.ended") && l.contains("invalid_grant"));
        }
        assertThat(idp.tokenRequests("refresh_token")).as("the IdP itself rejected it").hasSize(1);
    }

    @Test
    void unreadableAssertionWithoutACachedTokenIs503WithRetryAfterAndRecovers() throws Exception {
        TestBrowser b = signIn();
        java.nio.file.Files.delete(service.tokenFile);
        HttpResponse<String> r = b.get(service.auth());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).as("the first wait, 3 s less up to a fifth, in whole seconds").hasValue("3");
        assertThat(r.headers().firstValue("Authorization")).isEmpty();
        ServiceUnderTest.writeAssertion(service.tokenFile, "restored", service.clock);
        service.clock.advance(Duration.ofSeconds(3));
        assertThat(b.get(service.auth()).statusCode()).as("recovers with the next request after Retry-After").isEqualTo(200);
    }

    @Test
    void idpDownWithoutACachedTokenIs503NeverA200() {
        TestBrowser b = signIn();
        idp.close();
        HttpResponse<String> r = b.get(service.auth());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Authorization")).isEmpty();
    }

    @Test
    void twentyRequestsDuringAnEntraOutageMakeOneTokenRequestAndRetryAfterCountsDown() {
        TestBrowser b = signIn();
        idp.answerTokenRequests("refresh_token",
                EntraStandIn.entraError(503, "temporarily_unavailable", "AADSTS90033", null, null).setHeader("Retry-After", "30"));
        List<HttpResponse<String>> answers = IntStream.range(0, 20).mapToObj(i -> b.get(service.auth())).toList();
        assertThat(answers).allSatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).isEqualTo("token temporarily unavailable");
            assertThat(r.headers().firstValue("Authorization")).isEmpty();
        });
        assertThat(idp.tokenRequests("refresh_token")).as("one request to Entra, then its answer is remembered").hasSize(1);
        // Entra's 30 s plus a jitter of up to a fifth (drawn halfway here), so that sessions do not all return at once.
        assertThat(answers).allSatisfy(r -> assertThat(r.headers().firstValue("Retry-After")).hasValue("33"));

        service.clock.advance(Duration.ofSeconds(20));
        assertThat(b.get(service.auth()).headers().firstValue("Retry-After")).as("the wait that remains").hasValue("13");
        assertThat(idp.tokenRequests("refresh_token")).hasSize(1);

        idp.answerTokenRequestsNormally();
        service.clock.advance(Duration.ofSeconds(13));
        assertThat(b.get(service.auth()).statusCode()).isEqualTo(200);
        assertThat(idp.tokenRequests("refresh_token")).hasSize(2);
    }

    @Test
    void aDeadSessionsTwentyRequestsMakeOneTokenRequest() {
        TestBrowser b = new TestBrowser(idp.trust());
        b.cookies.put(SignInFlowTest.SESSION, sessionCookieWithRefreshToken("revoked-or-unknown-refresh-token"));
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = b.get(service.auth());
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).isEqualTo("unauthenticated");
        }
        assertThat(idp.tokenRequests("refresh_token")).hasSize(1);
    }

    @Test
    void aBackgroundRenewalThatMeetsInvalidGrantEndsTheSession() throws Exception {
        idp.claims.tokenLifetime(600);
        TestBrowser b = signIn();
        String first = b.get(service.auth()).headers().firstValue("Authorization").orElseThrow();
        idp.answerTokenRequests("refresh_token", EntraStandIn.entraError(400, "invalid_grant", "AADSTS50173", null, null));
        service.clock.advance(Duration.ofMinutes(6));
        HttpResponse<String> served = b.get(service.auth());
        assertThat(served.statusCode()).as("the cached token is served while the renewal runs").isEqualTo(200);
        assertThat(served.headers().firstValue("Authorization")).hasValue(first);

        HttpResponse<String> after = served;
        Instant deadline = Instant.now().plusSeconds(10);
        while (after.statusCode() == 200 && Instant.now().isBefore(deadline)) {
            after = b.get(service.auth());
        }
        assertThat(after.statusCode()).as("Entra's refusal of the renewal ends the session").isEqualTo(401);
        assertThat(after.headers().firstValue("Authorization")).isEmpty();
        assertThat(b.get(service.auth()).statusCode()).isEqualTo(401);
        assertThat(idp.tokenRequests("refresh_token")).as("the first token and the one renewal").hasSize(2);
    }

    @Test
    void aFailedBackgroundRenewalKeepsServingTheCachedTokenAndIsRetriedOnlyAfterItsWait() throws Exception {
        idp.claims.tokenLifetime(600);
        TestBrowser b = signIn();
        String first = b.get(service.auth()).headers().firstValue("Authorization").orElseThrow();
        idp.answerTokenRequests("refresh_token",
                EntraStandIn.entraError(503, "temporarily_unavailable", "AADSTS90033", null, null).setHeader("Retry-After", "30"));
        service.clock.advance(Duration.ofMinutes(6));
        assertThat(b.get(service.auth()).headers().firstValue("Authorization")).hasValue(first);
        awaitRefreshRequests(2);
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = b.get(service.auth());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Authorization")).hasValue(first);
        }
        assertThat(idp.tokenRequests("refresh_token")).as("no renewal before Entra's Retry-After is over").hasSize(2);

        idp.answerTokenRequestsNormally();
        service.clock.advance(Duration.ofSeconds(33));
        assertThat(b.get(service.auth()).headers().firstValue("Authorization")).hasValue(first);
        awaitRefreshRequests(3);
    }

    /** Waits (at most 10 s) until the IdP has received this many refresh requests. */
    private void awaitRefreshRequests(int count) {
        Instant deadline = Instant.now().plusSeconds(10);
        while (idp.tokenRequests("refresh_token").size() < count && Instant.now().isBefore(deadline)) {
            Thread.onSpinWait();
        }
        assertThat(idp.tokenRequests("refresh_token")).hasSize(count);
    }

    @Test
    void signOutDropsTheSessionsCachedTokens() {
        TestBrowser b = signIn();
        String copyOfTheCookie = b.cookies.get(SignInFlowTest.SESSION);
        String first = b.get(service.auth()).headers().firstValue("Authorization").orElseThrow();
        assertThat(idp.tokenRequests("refresh_token")).hasSize(1);
        assertThat(b.get(service.publicUrl + "/oauth2/sign_out").statusCode()).isEqualTo(200);
        assertThat(b.cookies).doesNotContainKey(SignInFlowTest.SESSION);

        // A copy of the cookie still decrypts (cookie sessions cannot be revoked), but nothing cached for it survives.
        TestBrowser replay = new TestBrowser(idp.trust());
        replay.cookies.put(SignInFlowTest.SESSION, copyOfTheCookie);
        HttpResponse<String> r = replay.get(service.auth());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(idp.tokenRequests("refresh_token")).as("a new token request, not the signed-out session's cached token").hasSize(2);
        assertThat(r.headers().firstValue("Authorization")).isPresent().isNotEqualTo(java.util.Optional.of(first));
    }

    private String sessionCookieWithRefreshToken(String refreshToken) {
        io.github.aksauthproxy.session.CookieCodec codec = new io.github.aksauthproxy.session.CookieCodec(List.of(
                io.github.aksauthproxy.config.CookieKey.of(java.util.Base64.getDecoder().decode(ServiceUnderTest.KEY_1))));
        io.github.aksauthproxy.session.SessionCookieStore store = new io.github.aksauthproxy.session.SessionCookieStore(codec,
                new io.github.aksauthproxy.session.CookieNames(java.util.Optional.empty()), service.clock, Duration.ofHours(1));
        Instant now = service.clock.instant();
        io.github.aksauthproxy.session.Session s = new io.github.aksauthproxy.session.Session("crafted-session-id-0001",
                EntraStandIn.ALICE.oid(), EntraStandIn.TENANT, "alice@contoso.example", "Alice", "", List.of(),
                new io.github.aksauthproxy.config.Secret(refreshToken), now, now.plus(Duration.ofHours(12)), now);
        return store.save(s, Map.of()).toCompletableFuture().join().cookies().get(0).getValue();
    }

    private static String jti(String assertion) throws Exception {
        return JWTParser.parse(assertion).getJWTClaimsSet().getJWTID();
    }
}
