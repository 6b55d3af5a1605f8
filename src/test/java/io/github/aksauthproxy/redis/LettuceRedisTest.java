package io.github.aksauthproxy.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.aksauthproxy.it.RedisProcess;
import io.github.aksauthproxy.it.ServiceUnderTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client against a real redis-server: answers, typed failures within the timeout, and recovery without a restart. */
class LettuceRedisTest {
    /** A command fails within the 2 s command timeout (refused connections fail at once); a little slack for a busy machine. */
    private static final Duration FAILS_WITHIN = Duration.ofSeconds(3);
    @RegisterExtension
    final RedisServerExtension fixture = new RedisServerExtension();
    private RedisProcess server;
    private LettuceRedis redis;

    @BeforeEach
    void start() {
        server = fixture.server();
        redis = fixture.client();
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    @Test
    void valueRoundTripsAndMissingKeyIsEmpty() throws Exception {
        await(redis.set("k", "v".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(1)));

        assertThat(await(redis.get("k"))).map(b -> new String(b, StandardCharsets.UTF_8)).contains("v");
        assertThat(await(redis.get("nothing"))).isEmpty();
        assertThat(await(redis.delete("k"))).isTrue();
        assertThat(await(redis.get("k"))).isEmpty();
    }

    @Test
    void setGivesTheKeyItsTimeToLive() throws Exception {
        await(redis.set("k", new byte[] {1}, Duration.ofSeconds(90)));

        long ttl = Long.parseLong(server.command("PTTL", "k").substring(1));
        assertThat(ttl).isBetween(85_000L, 90_000L);
    }

    @Test
    void setIfAbsentCreatesOnlyOnce() throws Exception {
        assertThat(await(redis.setIfAbsent("lock", new byte[] {1}, Duration.ofSeconds(5)))).isTrue();
        assertThat(await(redis.setIfAbsent("lock", new byte[] {2}, Duration.ofSeconds(5)))).isFalse();
        assertThat(await(redis.get("lock"))).hasValueSatisfying(v -> assertThat(v).containsExactly(1));
    }

    @Test
    void scriptRunsAgainAfterTheServerForgotIt() throws Exception {
        LuaScript<Long> incr = LuaScript.integer("incr", "return redis.call('INCRBY', KEYS[1], ARGV[1])");
        assertThat(await(redis.eval(incr, List.of("{t}n"), List.of("2".getBytes(StandardCharsets.US_ASCII))))).isEqualTo(2L);
        server.command("SCRIPT", "FLUSH");

        assertThat(await(redis.eval(incr, List.of("{t}n"), List.of("3".getBytes(StandardCharsets.US_ASCII))))).isEqualTo(5L);
    }

    @Test
    void stoppedRedisFailsTypedAndQuicklyThenServesAgainWithoutANewClient() throws Exception {
        await(redis.set("before", new byte[] {7}, Duration.ofMinutes(5)));
        server.stop();

        long t0 = System.nanoTime();
        assertThatThrownBy(() -> await(redis.get("before"))).isInstanceOfSatisfying(RedisUnavailable.class,
                e -> assertThat(e.reason()).isEqualTo(RedisUnavailable.Reason.UNREACHABLE));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(FAILS_WITHIN);
        assertThat(redis.failures().count(RedisUnavailable.Reason.UNREACHABLE)).isGreaterThanOrEqualTo(1);

        server.startAgain();   // persistence is off: the restarted server is empty
        Within.until(Duration.ofSeconds(10), "the client to use the restarted server", () -> await(redis.get("before")).isEmpty());
        await(redis.set("after", new byte[] {8}, Duration.ofMinutes(5)));
        assertThat(await(redis.get("after"))).isPresent();
    }

    @Test
    void redisDownAtStartIsATypedFailureAndIsUsedOnceItIsUp() throws Exception {
        int port = ServiceUnderTest.freePort();
        try (LettuceRedis early = LettuceRedis.create(RedisTestClients.standalone(port), Optional.empty(), Redis.Timeouts.DEFAULT,
                RedisFailureLog.everyTenSeconds())) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> await(early.ping())).isInstanceOfSatisfying(RedisUnavailable.class,
                    e -> assertThat(e.reason()).isEqualTo(RedisUnavailable.Reason.UNREACHABLE));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(FAILS_WITHIN);

            try (RedisProcess late = RedisProcess.startOn(port)) {
                Within.until(Duration.ofSeconds(10), "the client to connect once Redis is up", () -> {
                    await(early.ping());
                    return true;
                });
            }
        }
    }

    @Test
    void subscriberHearsPublishedMessagesAndIsToldOfAGap() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        AtomicInteger subscribed = new AtomicInteger();
        AtomicInteger lost = new AtomicInteger();
        redis.subscribe("news", new Redis.ChannelListener() {
            @Override
            public void message(String message) {
                heard.add(message);
            }

            @Override
            public void subscribed() {
                subscribed.incrementAndGet();
            }

            @Override
            public void lost() {
                lost.incrementAndGet();
            }
        });
        Within.until(Duration.ofSeconds(5), "the subscription", () -> subscribed.get() == 1);
        await(redis.publish("news", "one"));
        Within.until(Duration.ofSeconds(1), "the message", () -> heard.contains("one"));

        server.stop();
        Within.until(Duration.ofSeconds(5), "the gap to be reported", () -> lost.get() >= 1);
        server.startAgain();
        Within.until(Duration.ofSeconds(10), "the subscription to be renewed", () -> subscribed.get() >= 2);
        Within.until(Duration.ofSeconds(10), "a message after the gap", () -> {
            await(redis.publish("news", "two"));   // fails until the command connection is back too
            return true;
        });
        Within.until(Duration.ofSeconds(1), "the message after the gap", () -> heard.contains("two"));
    }
}
