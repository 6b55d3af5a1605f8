package io.github.aksauthproxy.redis;

import io.github.aksauthproxy.session.SessionStore;
import io.github.aksauthproxy.session.SessionStoreContract;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
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
}
