package io.github.aksauthproxy.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.CookieKey;
import io.github.aksauthproxy.config.Secret;
import io.github.aksauthproxy.session.Session;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What `sessions list` reads of the per-user index: an entry sealed by this service, and nothing else, never an exception. */
class SessionIndexTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final RedisKeyring keys = new RedisKeyring(List.of(CookieKey.of(RedisSessionsTest.bytes(32))));
    private final SessionIndex index = new SessionIndex(keys, RANDOM);
    private final SessionRef ref = new SessionRef("0123456789abcdef01234567", "name-1", RedisSessionsTest.bytes(32));

    @Test
    void anEntryItSealedOpensToWhoAndWhen() {
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        Session s = new Session("", "oid-1", "tid-1", "alice@contoso.example", "Alice", "", List.of(), new Secret("rt"),
                t, t.plusSeconds(3600), t.plusSeconds(60));

        SessionIndex.Entry e = index.open(ref.userTag(), ref.name(), index.seal(ref, s)).orElseThrow();

        assertThat(e.user()).isEqualTo("alice@contoso.example");
        assertThat(e.oid()).isEqualTo("oid-1");
        assertThat(e.tenant()).isEqualTo("tid-1");
        assertThat(e.createdAt()).isEqualTo(t);
        assertThat(e.lastSeen()).isEqualTo(t.plusSeconds(60));
        assertThat(e.expiresAt()).isEqualTo(t.plusSeconds(3600));
        assertThat(e.name()).isEqualTo("name-1");
    }

    @Test
    void anEntryOfAnotherSessionNameOrChangedOrTooShortOpensToNothing() {
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        byte[] sealed = index.seal(ref, new Session("", "oid-1", "tid-1", "alice@contoso.example", "Alice", "", List.of(),
                new Secret("rt"), t, t.plusSeconds(3600), t));
        byte[] changed = sealed.clone();
        changed[changed.length - 1] ^= 1;

        assertThat(index.open(ref.userTag(), "name-2", sealed)).as("moved to another session's field").isEmpty();
        assertThat(index.open(ref.userTag(), ref.name(), changed)).as("one bit changed").isEmpty();
        assertThat(index.open(ref.userTag(), ref.name(), new byte[5])).as("shorter than a key id").isEmpty();
    }

    @Test
    void anEntryWithTimesOutOfInstantsRangeOpensToNothingInsteadOfThrowing() {
        JsonObject j = new JsonObject().put("user", "u").put("oid", "o").put("tid", "t")
                .put("iat", Long.MAX_VALUE).put("seen", 0L).put("exp", Long.MIN_VALUE);

        assertThat(index.open(ref.userTag(), ref.name(), sealedAsTheIndexSealsIt(j))).isEmpty();
    }

    @Test
    void anEntryMissingAFieldOpensToNothing() {
        JsonObject j = new JsonObject().put("user", "u").put("oid", "o").put("tid", "t").put("iat", 0L).put("seen", 0L);

        assertThat(index.open(ref.userTag(), ref.name(), sealedAsTheIndexSealsIt(j))).isEmpty();
    }

    /** A value sealed under the index's current key, as {@link SessionIndex#seal} lays it out, holding any JSON. */
    private byte[] sealedAsTheIndexSealsIt(JsonObject j) {
        String kid = keys.currentId();
        byte[] sealed = Aead.seal(keys.indexKey(kid), j.encode().getBytes(StandardCharsets.UTF_8), ref.indexKey() + "|" + ref.name(), RANDOM);
        return ByteBuffer.allocate(kid.length() + sealed.length).put(kid.getBytes(StandardCharsets.US_ASCII)).put(sealed).array();
    }
}
