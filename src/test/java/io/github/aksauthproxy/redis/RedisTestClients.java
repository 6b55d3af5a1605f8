package io.github.aksauthproxy.redis;

import io.github.aksauthproxy.config.RedisConfig;
import io.github.aksauthproxy.it.RedisProcess;
import java.util.Optional;

/** Clients of the code under test for a test's own redis-server. */
final class RedisTestClients {
    private RedisTestClients() {
    }

    static RedisConfig standalone(int port) {
        return new RedisConfig(new RedisConfig.Standalone(new RedisConfig.Endpoint("127.0.0.1", port), 0), false,
                Optional.empty(), Optional.empty(), Optional.empty(), RedisConfig.Auth.PASSWORD);
    }

    static LettuceRedis connect(RedisProcess server) {
        return LettuceRedis.create(standalone(server.port()), Optional.empty(), Redis.Timeouts.DEFAULT, RedisFailureLog.everyTenSeconds());
    }
}
