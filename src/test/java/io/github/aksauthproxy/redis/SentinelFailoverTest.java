package io.github.aksauthproxy.redis;

import static io.github.aksauthproxy.redis.RedisSessionsTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.CookieKey;
import io.github.aksauthproxy.config.RedisConfig;
import io.github.aksauthproxy.it.MutableClock;
import io.github.aksauthproxy.it.RedisSentinelGroup;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Through Sentinel: a session written before the master dies is read from the promoted replica, by the same client. */
class SentinelFailoverTest {

    @Test
    void sessionWrittenBeforeTheMasterIsKilledLoadsAfterTheFailoverWithoutANewClient() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        try (RedisSentinelGroup group = RedisSentinelGroup.start()) {
            RedisConfig config = new RedisConfig(new RedisConfig.Sentinel(group.sentinelPorts().stream()
                    .map(p -> new RedisConfig.Endpoint("127.0.0.1", p)).toList(), RedisSentinelGroup.MASTER_NAME), false,
                    Optional.empty(), Optional.empty(), Optional.empty(), RedisConfig.Auth.PASSWORD);
            try (LettuceRedis redis = LettuceRedis.create(config, Optional.empty(), Redis.Timeouts.DEFAULT, RedisFailureLog.everyTenSeconds())) {
                RedisSessions sessions = new RedisSessions(redis, new RedisKeyring(List.of(CookieKey.of(RedisSessionsTest.bytes(32)))),
                        clock, new SecureRandom(), Duration.ofHours(1), List.of("aks"));
                RedisSessions.Created created = await(sessions.create(RedisSessionsTest.alice(clock.instant())));
                assertThat(group.master().command("WAIT", "1", "5000")).as("replicas that acknowledged the write").isEqualTo(":1");
                int oldMaster = group.master().port();

                group.master().kill();

                Duration took = Within.until(Duration.ofSeconds(30), "the session to load from the new master",
                        () -> await(sessions.load(created.cookieValue())).ok());
                assertThat(group.currentMasterPort()).isEqualTo(group.replica().port()).isNotEqualTo(oldMaster);
                assertThat(await(sessions.load(created.cookieValue())).session().refreshToken().value()).isEqualTo(RedisSessionsTest.RT);
                RedisSessions.Created after = await(sessions.create(RedisSessionsTest.alice(clock.instant())));
                assertThat(await(sessions.load(after.cookieValue())).ok()).as("writes go to the new master").isTrue();
                System.out.println("failover followed after " + took.toMillis() + " ms");
            }
        }
    }
}
