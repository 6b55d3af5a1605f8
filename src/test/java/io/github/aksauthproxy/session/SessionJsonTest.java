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
}
