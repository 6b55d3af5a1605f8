package io.github.aksauthproxy.redis;

import static io.github.aksauthproxy.redis.RedisSessionsTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.CookieKey;
import io.github.aksauthproxy.config.RateLimit;
import io.github.aksauthproxy.it.RedisProcess;
import io.github.aksauthproxy.it.MutableClock;
import io.github.aksauthproxy.ratelimit.RateLimiter;
import io.github.aksauthproxy.ratelimit.TokenBucketLimiter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The limit in Redis holds across replicas, with the semantics of the in-process TokenBucketLimiter. */
class RedisRateLimiterTest {
    private final RedisKeyring keys = new RedisKeyring(List.of(CookieKey.of(RedisSessionsTest.bytes(32))));
    @RegisterExtension
    final RedisServerExtension redis = new RedisServerExtension();
    private RedisProcess server;

    @BeforeEach
    void server() {
        server = redis.server();
    }

    private RedisRateLimiter<String> replica(String name, RateLimit limit) {
        return new RedisRateLimiter<>(redis.client(), keys, name, limit, s -> s,
                new TokenBucketLimiter<>(limit, new MutableClock(Instant.now()), 100));
    }

    @Test
    void twoReplicasShareOneBurstNotOneEach() throws Exception {
        RateLimit limit = new RateLimit(5, Duration.ofMinutes(1));
        RedisRateLimiter<String> a = replica("auth", limit);
        RedisRateLimiter<String> b = replica("auth", limit);

        int allowed = 0;
        for (int i = 0; i < 10; i++) {
            allowed += await((i % 2 == 0 ? a : b).acquire("alice|aks")).allowed() ? 1 : 0;
        }
        RateLimiter.Decision refused = await(a.acquire("alice|aks"));

        assertThat(allowed).isEqualTo(5);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).isBetween(59L, 60L);
        assertThat(await(b.acquire("bob|aks")).allowed()).as("another user's bucket").isTrue();
        assertThat(await(b.acquire("alice|monitor")).allowed()).as("another profile's bucket").isTrue();
    }

    @Test
    void oneRequestIsRegainedEveryRefillInterval() throws Exception {
        RedisRateLimiter<String> a = replica("sign_in", new RateLimit(2, Duration.ofMillis(400)));
        RedisRateLimiter<String> b = replica("sign_in", new RateLimit(2, Duration.ofMillis(400)));
        assertThat(await(a.acquire("10.0.0.7")).allowed()).isTrue();
        assertThat(await(b.acquire("10.0.0.7")).allowed()).isTrue();
        RateLimiter.Decision third = await(a.acquire("10.0.0.7"));
        assertThat(third.allowed()).isFalse();
        assertThat(third.retryAfterSeconds()).isEqualTo(1);

        Duration took = Within.until(Duration.ofSeconds(2), "one request to be regained", () -> await(b.acquire("10.0.0.7")).allowed());

        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        assertThat(await(a.acquire("10.0.0.7")).allowed()).as("only one was regained").isFalse();
    }

    @Test
    void bucketKeyNamesNoUserAndExpiresWhenFullAgain() throws Exception {
        RedisRateLimiter<String> a = replica("auth", new RateLimit(3, Duration.ofSeconds(10)));
        await(a.acquire("alice@contoso.example|aks"));

        String key = server.command("KEYS", "*");
        assertThat(key).startsWith("aap:{rl:auth:").doesNotContain("alice");
        assertThat(Long.parseLong(server.command("PTTL", key).substring(1))).isBetween(9_000L, 10_001L);
    }

    @Test
    void switchedOffLimitAllowsWithoutAskingRedis() throws Exception {
        RedisRateLimiter<String> off = replica("auth", RateLimit.OFF);
        server.stop();

        assertThat(await(off.acquire("alice|aks")).allowed()).isTrue();
    }

    @Test
    void whileRedisIsAwayThisReplicasOwnBucketDecides() throws Exception {
        RedisRateLimiter<String> a = replica("auth", new RateLimit(2, Duration.ofMinutes(1)));
        server.stop();

        assertThat(await(a.acquire("alice|aks")).allowed()).isTrue();
        assertThat(await(a.acquire("alice|aks")).allowed()).isTrue();
        assertThat(await(a.acquire("alice|aks"))).isEqualTo(new RateLimiter.Decision(false, 60));
    }
}
