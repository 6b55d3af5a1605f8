package io.github.aksauthproxy.it;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Entra's refusals with the redis session store: the same answers as with cookies (no sign-in loop, a step-up sign-in
 * carrying the claims, a remembered failure), although a session Entra ended is deleted from Redis at once and the
 * step-up session's fields make the round trip through Redis.
 */
class RedisEntraRefusalTest extends EntraRefusalTest {
    private static RedisProcess redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Override
    Map<String, String> sessionStore() {
        return Map.of("AKS_AUTH_PROXY_SESSION_STORE", "redis", "AKS_AUTH_PROXY_REDIS_URL", redis.url());
    }
}
