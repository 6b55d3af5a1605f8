package io.github.aksauthproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request URI with a broken percent-escape ({@code %} without two hex digits) is the client's mistake: 400 with a
 * page, never 500, on either listener, and nothing in the log that pages an operator. (Vert.x throws while decoding such
 * a path or query parameter; found by the fuzz properties of {@link ClientInputFuzzing}.)
 */
class MalformedRequestTest {
    @RegisterExtension
    static final StandInAndService env = new StandInAndService(Map.of());

    @ParameterizedTest
    @ValueSource(strings = {"/oauth2/start?rd=%", "/oauth2/start?rd=%zz", "/oauth2/sign_out?rd=%", "/oauth2/error?status=403&rd=%4",
        "/oauth2/callback?state=%", "/oauth2/start%", "/oauth2/userinfo%zz"})
    void brokenEscapeOnThePublicListenerGets400(String target) {
        assertBadRequest(env.service().config.publicPort(), target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/oauth2/auth%", "/oauth2/auth?profile=%zz", "/oauth2/auth/app%", "/oauth2/auth?profile=aks&redirect=%"})
    void brokenEscapeOnTheInternalListenerGets400(String target) {
        assertBadRequest(env.service().config.internalPort(), target);
    }

    /** RFC 6749 appendix A.11: a code is visible ASCII; anything else never reaches Entra (MSAL4J threw on it: a 502). */
    @ParameterizedTest
    @ValueSource(strings = {"%C3%A9", "%EF%BF%BF", "abc%7Fdef", "%00"})
    void callbackOfThisBrowsersSignInWithACodeOutsideVisibleAsciiGets400(String code) {
        int port = env.service().config.publicPort();
        RawExchange.Answer start = RawExchange.send(port, "GET", "/oauth2/start?rd=/app", List.of());
        String state = java.net.URI.create(start.header("Location").orElseThrow()).getRawQuery().replaceAll(".*(?:^|&)state=([^&]*).*", "$1");
        String login = start.headers("Set-Cookie").stream().filter(c -> c.contains("-login-")).map(c -> c.split(";")[0]).findFirst().orElseThrow();
        try (LogCapture logs = new LogCapture()) {
            RawExchange.Answer a = RawExchange.send(port, "GET", "/oauth2/callback?state=" + state + "&code=" + code,
                    List.of(Map.entry("Cookie", login)));
            assertThat(a.status()).isEqualTo(400);
            assertThat(a.body()).contains("The answer from Microsoft Entra ID was incomplete");
            assertThat(logs.lines()).anyMatch(l -> l.contains("event=login.failure") && l.contains("no usable code"));
        }
    }

    @Test
    void wellFormedEscapesStillWork() {
        RawExchange.Answer a = RawExchange.send(env.service().config.publicPort(), "GET", "/oauth2/start?rd=%2Fapp%3Fq%3D1", List.of());
        assertThat(a.status()).isEqualTo(302);
    }

    private static void assertBadRequest(int port, String target) {
        try (LogCapture logs = new LogCapture()) {
            RawExchange.Answer a = RawExchange.send(port, "GET", target, List.of());
            assertThat(a.status()).as(target).isEqualTo(400);
            assertThat(a.header("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(a.body()).contains("Bad request");
            assertThat(logs.unhandled()).as("no error logged for a client's mistake").isEmpty();
        }
    }
}
