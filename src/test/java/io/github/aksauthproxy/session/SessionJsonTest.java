package io.github.aksauthproxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.Secret;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The session's JSON stays readable across versions: a field a version did not write has the meaning it had then. */
class SessionJsonTest {
    private static final Instant NOW = Instant.parse("2026-11-25T08:00:00Z");

    private static Session session(boolean overage) {
        return new Session("sid", "oid", "tid", "alice@contoso.example", "Alice", "alice@contoso.example", List.of(), new Secret("rt"),
                NOW, NOW.plusSeconds(3600), NOW, "", false, Optional.empty(), overage);
    }

    @Test
    void groupOverageIsKept() {
        JsonObject json = SessionJson.toJson(session(true));
        assertThat(json.getBoolean("gov")).isTrue();
        assertThat(SessionJson.fromJson(json)).hasValueSatisfying(s -> assertThat(s.groupsOverage()).isTrue());
    }

    @Test
    void aSessionWithoutOverageWritesNoOverageField() {
        assertThat(SessionJson.toJson(session(false)).containsKey("gov")).isFalse();
    }

    @Test
    void aSessionFromBeforeOverageWasKeptIsOneWithoutOverage() {
        JsonObject older = SessionJson.toJson(session(false));
        older.remove("gov");
        assertThat(SessionJson.fromJson(older)).hasValueSatisfying(s -> {
            assertThat(s.groupsOverage()).isFalse();
            assertThat(s.id()).isEqualTo("sid");
        });
    }

    @Test
    void aPayloadWhoseTimesNoInstantCanHoldIsNoSession() {
        for (Object outOfRange : List.of(Long.MAX_VALUE, Long.MIN_VALUE, 1e300, -1e300)) {
            for (String field : List.of("iat", "exp", "seen")) {
                JsonObject json = SessionJson.toJson(session(false)).put(field, outOfRange);
                assertThat(SessionJson.fromJson(json)).as("%s = %s", field, outOfRange).isEmpty();
            }
        }
    }

    @Test
    void aSignInCookieWhoseStartNoInstantCanHoldIsUnreadable() {
        CookieCodec codec = new CookieCodec(List.of(io.github.aksauthproxy.config.CookieKey.of(new byte[32])));
        CookieNames names = new CookieNames(Optional.empty());
        LoginStateCookies logins = new LoginStateCookies(codec, names, java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC));
        String state = "0123456789abcdefABCDEF";
        String value = codec.encrypt("login", new JsonObject().put("state", state).put("nonce", "n").put("verifier", "v").put("rd", "/")
                .put("iat", Long.MAX_VALUE));
        assertThat(logins.read(state, java.util.Map.of(names.login(state), value)).rejected()).isEqualTo(LoginRejected.UNREADABLE_LOGIN_COOKIE);
    }
}
