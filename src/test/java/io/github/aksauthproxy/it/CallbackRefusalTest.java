package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Callbacks that must not sign anyone in, through the real {@code /oauth2/callback}: ID tokens Entra would never
 * send (each differs from a valid one in exactly one check), a code redeemed with another {@code redirect_uri}
 * than the one authorized, and a sign-in completed more than ten minutes after it started.
 */
class CallbackRefusalTest {
    static final String SESSION = SignInFlowTest.SESSION;
    static final String UNVERIFIED = "The sign-in response could not be verified.";
    /** The way back in: a new sign-in to where this one was going ({@code /after}). */
    static final String SIGN_IN_AGAIN = "<li><a class=\"action\" href=\"/oauth2/start?rd=%2Fafter\">Sign in again</a></li>";
    static final java.util.regex.Pattern REQUEST_ID = java.util.regex.Pattern.compile("<code id=\"request-id\">([0-9a-f]{32})</code>");
    @RegisterExtension
    static final StandInAndService env = new StandInAndService(Map.of());

    @Test
    void idTokenReSignedByTheStandInWithItsOwnClaimsSignsIn() {
        // The forging itself spoils nothing: each refusal below is due to its one changed check.
        env.idp().forgeNextIdToken(issued -> env.idp().signedAsTheStandIn(claims(issued).build()));
        HttpResponse<String> r = completeSignIn(new TestBrowser(env.idp().trust()));
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(TestBrowser.location(r)).isEqualTo("/after");
        assertThat(sessionCookies(r)).hasSize(1);
    }

    @Test
    void idTokenWithAnotherSignInsNonceIsRefused() {
        assertIdTokenRefused(issued -> env.idp().signedAsTheStandIn(claims(issued).claim("nonce", "nonce-of-another-sign-in-0123456789").build()),
                "nonce does not match this sign-in");
    }

    @Test
    void idTokenSignedWithAForeignKeyUnderTheStandInsKeyIdIsRefused() {
        assertIdTokenRefused(issued -> EntraStandIn.signed(claims(issued).build(), foreignKey(issued.getHeader().getKeyID())),
                "Invalid signature");
    }

    @Test
    void idTokenForAnotherAudienceIsRefused() {
        assertIdTokenRefused(issued -> env.idp().signedAsTheStandIn(claims(issued).audience("00000000-0000-0000-0000-0000000a0d1e").build()),
                "JWT aud claim rejected");
    }

    @Test
    void idTokenFromAnotherIssuerIsRefused() {
        assertIdTokenRefused(issued -> env.idp().signedAsTheStandIn(claims(issued)
                .issuer("https://login.microsoftonline.com/" + "f".repeat(8) + "-0000-0000-0000-000000000000/v2.0").build()),
                "not an accepted issuer");
    }

    @Test
    void expiredIdTokenIsRefused() {
        Instant now = env.service().clock.instant();
        assertIdTokenRefused(issued -> env.idp().signedAsTheStandIn(claims(issued).issueTime(Date.from(now.minus(Duration.ofHours(1))))
                .expirationTime(Date.from(now.minus(Duration.ofSeconds(61 + 60)))).build()), "Expired JWT");
    }

    @Test
    void idTokenNotValidBeforeMoreThanTheSkewFromNowIsRefused() {
        Instant now = env.service().clock.instant();
        assertIdTokenRefused(issued -> env.idp().signedAsTheStandIn(claims(issued).notBeforeTime(Date.from(now.plus(Duration.ofSeconds(61 + 60))))
                .build()), "before use time");
    }

    @Test
    void unsignedIdTokenWithAlgNoneIsRefused() {
        assertIdTokenRefused(issued -> new PlainJWT(claims(issued).build()).serialize(), "Unsecured (plain) JWTs are rejected");
    }

    @Test
    void codeRedeemedWithAnotherRedirectUriThanAuthorizedGetsTheCallbackErrorPage() {
        TestBrowser browser = new TestBrowser(env.idp().trust());
        String authorize = TestBrowser.location(browser.get(env.service().start("/after")));
        String registered = URLEncoder.encode(env.service().publicUrl + "/oauth2/callback", StandardCharsets.UTF_8);
        // The browser is sent back to a URL that still reaches the callback, but is not the one the service redeems with.
        String elsewhere = URLEncoder.encode(env.service().publicUrl + "/oauth2/callback?from=elsewhere", StandardCharsets.UTF_8);
        assertThat(authorize).contains("redirect_uri=" + registered);
        String callback = browser.followUntil(authorize.replace("redirect_uri=" + registered, "redirect_uri=" + elsewhere), callbackUrl());
        try (LogCapture logs = new LogCapture()) {
            HttpResponse<String> r = browser.get(callback);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("<h1>Sign-in failed</h1><p>This sign-in response was already used or has expired.</p>")
                    .contains(SIGN_IN_AGAIN).containsPattern(REQUEST_ID);
            assertThat(sessionCookies(r)).isEmpty();
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=login.failure") && l.contains("invalid_grant"));
        }
        assertThat(browser.get(env.service().auth()).statusCode()).isEqualTo(401);
    }

    @Test
    void callbackMoreThanTenMinutesAfterTheStartIsRefusedWithTheClearPage() {
        TestBrowser browser = new TestBrowser(env.idp().trust());
        String callback = browser.followUntil(env.service().start("/after"), callbackUrl());
        env.service().clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        try (LogCapture logs = new LogCapture()) {
            HttpResponse<String> r = browser.get(callback);
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("<h1>Sign-in could not be completed</h1><p>This sign-in link is not valid in this browser: it may "
                    + "have expired, been used already, or been started elsewhere.</p>")
                    .as("the expired attempt still knows where it was going").contains(SIGN_IN_AGAIN);
            java.util.regex.Matcher id = REQUEST_ID.matcher(r.body());
            assertThat(id.find()).isTrue();
            assertThat(logs.lines()).as("the id to quote is in the log line of this refusal")
                    .anyMatch(l -> l.contains("event=login.failure") && l.contains("request_id=" + id.group(1)));
            assertThat(sessionCookies(r)).isEmpty();
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=login.failure") && l.contains("the sign-in took longer than 10 minutes"));
        } finally {
            env.service().clock.advance(Duration.ofMinutes(10).plusSeconds(1).negated());
        }
    }

    @Test
    void callbackJustWithinTenMinutesOfTheStartSignsIn() {
        TestBrowser browser = new TestBrowser(env.idp().trust());
        String callback = browser.followUntil(env.service().start("/after"), callbackUrl());
        env.service().clock.advance(Duration.ofMinutes(9).plusSeconds(59));
        try {
            HttpResponse<String> r = browser.get(callback);
            assertThat(r.statusCode()).isEqualTo(302);
            assertThat(sessionCookies(r)).hasSize(1);
        } finally {
            env.service().clock.advance(Duration.ofMinutes(9).plusSeconds(59).negated());
        }
    }

    /** Completes a sign-in whose ID token {@code forge} made and checks it ends on the error page without a session. */
    private void assertIdTokenRefused(Function<SignedJWT, String> forge, String logReason) {
        env.idp().forgeNextIdToken(forge);
        TestBrowser browser = new TestBrowser(env.idp().trust());
        try (LogCapture logs = new LogCapture()) {
            HttpResponse<String> r = completeSignIn(browser);
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(r.body()).contains("<h1>Sign-in failed</h1><p>" + UNVERIFIED + "</p>").contains(SIGN_IN_AGAIN)
                    .containsPattern(REQUEST_ID).doesNotContain("Exception");
            assertThat(sessionCookies(r)).isEmpty();
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=login.failure") && l.contains(logReason));
        }
        assertThat(browser.cookies).doesNotContainKey(SESSION);
        assertThat(browser.get(env.service().auth()).statusCode()).isEqualTo(401);
    }

    private HttpResponse<String> completeSignIn(TestBrowser browser) {
        String callback = browser.followUntil(env.service().start("/after"), callbackUrl());
        return browser.get(callback);
    }

    private static String callbackUrl() {
        return env.service().publicUrl + "/oauth2/callback?";
    }

    /** Set-Cookie headers that set (not clear) a session cookie. */
    private static List<String> sessionCookies(HttpResponse<String> r) {
        return r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(SESSION + "=") || c.startsWith(SESSION + "_"))
                .filter(c -> !c.contains("Max-Age=0")).toList();
    }

    private static JWTClaimsSet.Builder claims(SignedJWT issued) {
        try {
            return new JWTClaimsSet.Builder(issued.getJWTClaimsSet());
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RSAKey foreignKey(String keyId) {
        try {
            return new RSAKeyGenerator(2048).keyID(keyId).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
