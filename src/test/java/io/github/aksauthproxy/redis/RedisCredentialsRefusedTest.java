package io.github.aksauthproxy.redis;

import static io.github.aksauthproxy.redis.RedisSessionsTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.aksauthproxy.config.RedisConfig;
import io.github.aksauthproxy.config.Secret;
import io.github.aksauthproxy.it.RedisProcess;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A Redis that refuses the service's credentials is reported as such: the operator must fix the password or access policy. */
class RedisCredentialsRefusedTest {

    @Test
    void wrongPasswordIsAnAuthenticationFailureNotAnUnreachableServer() throws Exception {
        try (RedisProcess server = RedisProcess.start()) {
            assertThat(server.command("CONFIG", "SET", "requirepass", "the-right-password")).isEqualTo("+OK");
            RedisConfig config = new RedisConfig(new RedisConfig.Standalone(new RedisConfig.Endpoint("127.0.0.1", server.port()), 0), false,
                    Optional.empty(), Optional.of(new Secret("a-wrong-password")), Optional.empty(), RedisConfig.Auth.PASSWORD);
            try (LettuceRedis redis = LettuceRedis.create(config, Optional.empty(), Redis.Timeouts.DEFAULT, RedisFailureLog.everyTenSeconds())) {
                assertThatThrownBy(() -> await(redis.ping())).isInstanceOfSatisfying(RedisUnavailable.class, e -> {
                    assertThat(e.reason()).isEqualTo(RedisUnavailable.Reason.AUTHENTICATION);
                    assertThat(e.getMessage()).startsWith("Redis refused the service's credentials (WRONGPASS)")
                            .doesNotContain("a-wrong-password");
                });
                assertThat(redis.failures().count(RedisUnavailable.Reason.AUTHENTICATION)).isEqualTo(1);
            }
        }
    }
}
