package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /oauth2/sign_out} with {@code AKS_AUTH_PROXY_IDP_SIGN_OUT=true}: the session ends here, then at Entra. */
class SignOutTest {
    static final String SESSION = SignInFlowTest.SESSION;
    @RegisterExtension
    static final StandInAndService env = new StandInAndService(Map.of(
            "AKS_AUTH_PROXY_IDP_SIGN_OUT", "true", "AKS_AUTH_PROXY_SESSION_IDLE_TIMEOUT", "30m",
            "AKS_AUTH_PROXY_GROUPS_HEADER_LIMIT", "200"));

    @Test
    void idpSignOutSendsTheBrowserToEntrasEndSessionEndpointWithThePostLogoutTarget() {
        TestBrowser browser = signedIn();

        HttpResponse<String> out = browser.get(env.service().publicUrl + "/oauth2/sign_out?rd=/bye");

        assertThat(out.statusCode()).isEqualTo(302);
        assertThat(out.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(TestBrowser.location(out)).isEqualTo(env.idp().endSessionUrl() + "?post_logout_redirect_uri="
                + URLEncoder.encode(env.service().publicUrl + "/bye", StandardCharsets.UTF_8) + "&client_id=" + EntraStandIn.CLIENT_ID);
        assertThat(setCookies(out)).containsExactly(cleared(SESSION));
        assertThat(browser.get(env.service().auth()).statusCode()).isEqualTo(401);
    }

    @Test
    void signOutToATargetThatNeedsPercentEncodingEndsTheSessionAndGoesToEntra() {
        TestBrowser browser = signedIn();
        try (AuditCapture audit = new AuditCapture()) {
            HttpResponse<String> out = browser.get(env.service().publicUrl + "/oauth2/sign_out?rd=/a%7Cb");

            assertThat(out.statusCode()).isEqualTo(302);
            assertThat(TestBrowser.location(out)).isEqualTo(env.idp().endSessionUrl() + "?post_logout_redirect_uri="
                    + URLEncoder.encode(env.service().publicUrl + "/a%7Cb", StandardCharsets.UTF_8) + "&client_id=" + EntraStandIn.CLIENT_ID);
            assertThat(setCookies(out)).containsExactly(cleared(SESSION));
            assertThat(audit.lines()).extracting(l -> l.getString("event")).containsExactly("logout");
        }
        assertThat(browser.get(env.service().auth()).statusCode()).isEqualTo(401);
    }

    @Test
    void signOutOfAChunkedSessionClearsEveryChunkAndTheActivityCookie() {
        List<String> groups = IntStream.range(0, 200).mapToObj(i -> java.util.UUID.randomUUID().toString()).toList();
        env.idp().claims.signInAs(new EntraShapedTokenCallback.User("99999999-2222-3333-4444-555555555555", "bob@contoso.example", "Bob", groups));
        TestBrowser browser;
        try {
            browser = signedIn();
        } finally {
            env.idp().claims.signInAs(EntraStandIn.ALICE);
        }
        env.service().clock.advance(Duration.ofMinutes(20));
        assertThat(browser.get(env.service().auth()).statusCode()).isEqualTo(200);
        assertThat(browser.cookies.keySet()).as("a chunked session with its activity stamp")
                .containsExactlyInAnyOrder(SESSION + "_0", SESSION + "_1", SESSION + "-seen");

        HttpResponse<String> out = browser.get(env.service().publicUrl + "/oauth2/sign_out");

        assertThat(out.statusCode()).isEqualTo(302);
        assertThat(TestBrowser.location(out)).isEqualTo(env.idp().endSessionUrl() + "?post_logout_redirect_uri="
                + URLEncoder.encode(env.service().publicUrl + "/", StandardCharsets.UTF_8) + "&client_id=" + EntraStandIn.CLIENT_ID);
        assertThat(setCookies(out))
                .containsExactlyInAnyOrder(cleared(SESSION + "_0"), cleared(SESSION + "_1"), cleared(SESSION + "-seen"));
        assertThat(browser.cookies).isEmpty();
        assertThat(browser.get(env.service().auth()).statusCode()).isEqualTo(401);
    }

    /** The Set-Cookie that deletes {@code name}: same name, path and attributes as when it was set, no value, Max-Age=0. */
    static String cleared(String name) {
        return name + "=; Max-Age=0; Path=/; Secure; HTTPOnly; SameSite=Lax";
    }

    /** The response's Set-Cookie headers without their Expires attribute (Vert.x stamps it from the system clock). */
    static List<String> setCookies(HttpResponse<String> r) {
        return r.headers().allValues("Set-Cookie").stream().map(c -> c.replaceFirst("; Expires=[^;]*", "")).toList();
    }

    private static TestBrowser signedIn() {
        TestBrowser browser = new TestBrowser(env.idp().trust());
        HttpResponse<String> landed = browser.follow(env.service().start("/signed-in"));
        assertThat(landed.uri().getPath()).isEqualTo("/signed-in");
        assertThat(browser.get(env.service().auth()).statusCode()).isEqualTo(200);
        return browser;
    }
}
