package io.github.aksauthproxy.redis;

import static io.github.aksauthproxy.redis.RedisSessionsTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.CookieKey;
import io.github.aksauthproxy.entra.AccessToken;
import io.github.aksauthproxy.it.MutableClock;
import io.github.aksauthproxy.it.RedisProcess;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A copy of Redis alone reveals neither users nor tokens. */
class RedisHoldsNothingInClearTest {

    @Test
    void dumpOfEveryKeyAndValueAfterASessionAndATokenHoldsNoTokenAndNoName() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        SecureRandom random = new SecureRandom();
        String accessToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.the-access-token-payload.signature";
        try (RedisProcess server = RedisProcess.start(); LettuceRedis redis = RedisTestClients.connect(server)) {
            RedisSessions sessions = new RedisSessions(redis, new RedisKeyring(List.of(CookieKey.of(RedisSessionsTest.bytes(32)))),
                    clock, random, Duration.ofHours(1), List.of("aks"));
            RedisTokens tokens = new RedisTokens(redis, clock, random, Duration.ofMinutes(1), RedisTokens.Timing.DEFAULT);
            RedisSessions.Created created = await(sessions.create(RedisSessionsTest.alice(clock.instant())));
            await(tokens.put(created.ref(), "aks", new AccessToken(accessToken, clock.instant().plus(Duration.ofHours(1)))));
            await(redis.set("aap:{probe}:plain", "alice@contoso.example".getBytes(java.nio.charset.StandardCharsets.UTF_8), Duration.ofMinutes(1)));

            StringBuilder dump = new StringBuilder();
            for (String key : server.command("KEYS", "*").split("\n")) {
                dump.append(key).append('\n');
                String type = server.command("TYPE", key);
                dump.append(type.equals("+hash") ? server.command("HGETALL", key) : server.command("GET", key)).append('\n');
            }

            assertThat(dump).as("the probe shows the dump reads values byte for byte").contains("alice@contoso.example");
            String withoutProbe = dump.toString().replace("aap:{probe}:plain\nalice@contoso.example", "");
            assertThat(withoutProbe).doesNotContain(RedisSessionsTest.RT).doesNotContain("refresh-token")
                    .doesNotContain(accessToken).doesNotContain("the-access-token-payload").doesNotContain("eyJ0eXAi")
                    .doesNotContain("alice").doesNotContain("Alice").doesNotContain(RedisSessionsTest.OID)
                    .doesNotContain("contoso").doesNotContain("group-a");
        }
    }
}
