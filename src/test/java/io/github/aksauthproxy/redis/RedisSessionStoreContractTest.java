package io.github.aksauthproxy.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.CookieKey;
import io.github.aksauthproxy.session.SessionStore;
import io.github.aksauthproxy.session.SessionStoreContract;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The redis store keeps the session store contract, on a real redis-server. */
class RedisSessionStoreContractTest extends SessionStoreContract {
    @RegisterExtension
    final RedisServerExtension redis = new RedisServerExtension();
    private SessionStore store;

    @BeforeEach
    void openStore() {
        RedisSessions sessions = new RedisSessions(redis.client(), new RedisKeyring(List.of(RedisSessionsTest.KEY)), clock, new SecureRandom(),
                IDLE, List.of("aks"));
        store = new RedisSessionStore(sessions, NAMES, clock);
    }

    @Override
    protected SessionStore store() {
        return store;
    }

    /**
     * The ticket is rewritten only after a key rotation: a session loaded with its ticket sealed under an older listed
     * key comes back with a renewal cookie, sealed with the new first key, that the new key alone opens; no renewal
     * otherwise. (Without it, dropping the old key would sign every user out at once: the fault harness's rotation did.)
     */
    @Test
    void aTicketOfAnOlderKeyIsRenewedUnderTheNewFirstKeyAndNothingElseIsRenewed() {
        Map<String, String> jar = new HashMap<>();
        save(Map.of()).cookies().forEach(c -> jar.put(c.getName(), c.getValue()));
        assertThat(load(jar).renewal()).as("no rotation, no renewal").isEmpty();
        CookieKey next = CookieKey.of(RedisSessionsTest.bytes(32));
        SessionStore rotated = storeWith(List.of(next, RedisSessionsTest.KEY));

        SessionStore.Loaded loaded = rotated.load(jar).toCompletableFuture().join();

        assertThat(loaded.ok()).isTrue();
        assertThat(loaded.renewal()).singleElement().satisfies(c -> {
            assertThat(c.getName()).isEqualTo(NAMES.session());
            assertThat(c.getValue()).startsWith("t1." + next.id() + ".");
            assertThat(c.getMaxAge()).isPositive();
            assertThat(c.isHttpOnly()).isTrue();
        });
        Map<String, String> renewed = Map.of(NAMES.session(), loaded.renewal().get(0).getValue());
        SessionStore.Loaded afterDrop = storeWith(List.of(next)).load(renewed).toCompletableFuture().join();
        assertThat(afterDrop.ok()).isTrue();
        assertThat(afterDrop.session().id()).isEqualTo(loaded.session().id());
        assertThat(afterDrop.renewal()).isEmpty();
    }

    private SessionStore storeWith(List<CookieKey> keys) {
        return new RedisSessionStore(new RedisSessions(redis.client(), new RedisKeyring(keys), clock, new SecureRandom(), IDLE, List.of("aks")),
                NAMES, clock);
    }
}
