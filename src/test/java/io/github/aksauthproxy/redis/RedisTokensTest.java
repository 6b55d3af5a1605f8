package io.github.aksauthproxy.redis;

import static io.github.aksauthproxy.redis.RedisSessionsTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.aksauthproxy.entra.AccessToken;
import io.github.aksauthproxy.entra.IdpFailure;
import io.github.aksauthproxy.it.MutableClock;
import io.github.aksauthproxy.it.RedisProcess;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared token cache against a real redis-server, with two clients standing for two replicas. */
class RedisTokensTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration MARGIN = Duration.ofMinutes(1);
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    private final SessionRef session = SessionRef.of(SessionTicket.generate(RANDOM, RedisSessionsTest.bytes(12)));
    @RegisterExtension
    final RedisServerExtension redis = new RedisServerExtension();
    private RedisProcess server;

    @BeforeEach
    void server() {
        server = redis.server();
    }

    private RedisTokens replica(RedisTokens.Timing timing) {
        return new RedisTokens(redis.client(), clock, RANDOM, MARGIN, timing);
    }

    private AccessToken token(String value, Duration life) {
        return new AccessToken(value, clock.instant().plus(life));
    }

    @Test
    void tokenRoundTripsSealedAndLivesUntilShortlyBeforeExp() throws Exception {
        RedisTokens tokens = replica(RedisTokens.Timing.DEFAULT);
        AccessToken t = token("eyJ.access.token", Duration.ofMinutes(60));

        assertThat(await(tokens.put(session, "aks", t))).isTrue();

        assertThat(await(tokens.get(session, "aks", Duration.ZERO))).contains(t);
        assertThat(await(tokens.get(session, "monitor", Duration.ZERO))).isEmpty();
        long ttl = Long.parseLong(server.command("PTTL", session.tokenKey("aks")).substring(1));
        assertThat(ttl).isBetween(Duration.ofMinutes(59).minusSeconds(5).toMillis(), Duration.ofMinutes(59).toMillis());
        assertThat(server.command("HGET", session.tokenKey("aks"), "v")).doesNotContain("eyJ.access.token");
    }

    @Test
    void tokenWithTooLittleLeftIsAMiss() throws Exception {
        RedisTokens tokens = replica(RedisTokens.Timing.DEFAULT);
        await(tokens.put(session, "aks", token("t", Duration.ofMinutes(4))));

        assertThat(await(tokens.get(session, "aks", Duration.ofMinutes(5)))).isEmpty();
        assertThat(await(tokens.get(session, "aks", Duration.ofMinutes(3)))).isPresent();
    }

    @Test
    void theTokenThatExpiresLaterIsKept() throws Exception {
        RedisTokens a = replica(RedisTokens.Timing.DEFAULT);
        RedisTokens b = replica(RedisTokens.Timing.DEFAULT);
        AccessToken later = token("later", Duration.ofMinutes(70));
        AccessToken earlier = token("earlier", Duration.ofMinutes(60));

        assertThat(await(a.put(session, "aks", later))).isTrue();
        assertThat(await(b.put(session, "aks", earlier))).isFalse();

        assertThat(await(a.get(session, "aks", Duration.ZERO))).contains(later);
        assertThat(await(b.put(session, "aks", token("latest", Duration.ofMinutes(80))))).isTrue();
        assertThat(await(a.get(session, "aks", Duration.ZERO))).map(AccessToken::value).contains("latest");
    }

    @Test
    void tokenSealedForAnotherSessionOrChangedIsAMiss() throws Exception {
        RedisTokens tokens = replica(RedisTokens.Timing.DEFAULT);
        await(tokens.put(session, "aks", token("t", Duration.ofMinutes(60))));
        SessionRef other = SessionRef.of(SessionTicket.generate(RANDOM, RedisSessionsTest.bytes(12)));
        server.command("COPY", session.tokenKey("aks"), other.tokenKey("aks"));
        server.command("HSET", session.tokenKey("aks"), "v", "tampered");

        assertThat(await(tokens.get(other, "aks", Duration.ZERO))).isEmpty();
        assertThat(await(tokens.get(session, "aks", Duration.ZERO))).isEmpty();
    }

    /** A mint that counts its calls and answers after {@code delay}. */
    private static Supplier<CompletionStage<AccessToken>> slowMint(AtomicInteger calls, Duration delay, AccessToken result) {
        return () -> {
            calls.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> result, CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS));
        };
    }

    @Test
    void fiftyConcurrentMissesOnTwoReplicasMintOnce() throws Exception {
        RedisTokens a = replica(RedisTokens.Timing.DEFAULT);
        RedisTokens b = replica(RedisTokens.Timing.DEFAULT);
        AtomicInteger mints = new AtomicInteger();
        AccessToken minted = token("minted-once", Duration.ofMinutes(60));
        Supplier<CompletionStage<AccessToken>> mint = slowMint(mints, Duration.ofMillis(300), minted);

        List<CompletableFuture<RedisTokens.Shared>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add((i % 2 == 0 ? a : b).getOrMint(session, "aks", MARGIN, mint).toCompletableFuture());
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);

        assertThat(mints.get()).isEqualTo(1);
        assertThat(all).allSatisfy(f -> assertThat(f.join().token()).isEqualTo(minted));
        assertThat(all).filteredOn(f -> f.join().source() == RedisTokens.Source.MINTED).hasSize(1);
        assertThat(server.command("EXISTS", session.lockKey("aks"))).isEqualTo(":0");
    }

    @Test
    void lockIsRenewedWhileMintingOutlastsIt() throws Exception {
        RedisTokens.Timing shortLock = new RedisTokens.Timing(Duration.ofMillis(300), Duration.ofSeconds(5), Duration.ofMillis(20));
        RedisTokens a = replica(shortLock);
        RedisTokens b = replica(shortLock);
        AtomicInteger mints = new AtomicInteger();
        Supplier<CompletionStage<AccessToken>> mint = slowMint(mints, Duration.ofMillis(1500), token("slow", Duration.ofMinutes(60)));

        CompletableFuture<RedisTokens.Shared> first = a.getOrMint(session, "aks", MARGIN, mint).toCompletableFuture();
        Within.until(Duration.ofSeconds(2), "the first replica to take the lock", () -> mints.get() == 1);
        CompletableFuture<RedisTokens.Shared> second = b.getOrMint(session, "aks", MARGIN, mint).toCompletableFuture();

        assertThat(second.get(10, TimeUnit.SECONDS).source()).isEqualTo(RedisTokens.Source.WAITED);
        assertThat(first.get(10, TimeUnit.SECONDS).source()).isEqualTo(RedisTokens.Source.MINTED);
        assertThat(mints.get()).isEqualTo(1);
    }

    @Test
    void failedMintReleasesTheLockSoTheNextRequestMintsAtOnce() throws Exception {
        RedisTokens tokens = replica(RedisTokens.Timing.DEFAULT);
        IdpFailure down = new IdpFailure(IdpFailure.Kind.UNAVAILABLE, "unreachable", Optional.empty(), "Entra did not answer");

        assertThatThrownBy(() -> await(tokens.getOrMint(session, "aks", MARGIN, () -> CompletableFuture.failedFuture(down)))).isSameAs(down);
        assertThat(server.command("EXISTS", session.lockKey("aks"))).isEqualTo(":0");

        long t0 = System.nanoTime();
        RedisTokens.Shared next = await(tokens.getOrMint(session, "aks", MARGIN,
                () -> CompletableFuture.completedFuture(token("next", Duration.ofMinutes(60)))));
        assertThat(next.source()).isEqualTo(RedisTokens.Source.MINTED);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void releaseNeverDeletesAnotherOwnersLock() throws Exception {
        LettuceRedis client = redis.client();
        server.command("SET", session.lockKey("aks"), "someone-else", "PX", "10000");

        Long deleted = await(client.eval(RedisTokens.RELEASE, List.of(session.lockKey("aks")), List.of("me".getBytes(StandardCharsets.US_ASCII))));
        Long renewed = await(client.eval(RedisTokens.RENEW, List.of(session.lockKey("aks")),
                List.of("me".getBytes(StandardCharsets.US_ASCII), "99999".getBytes(StandardCharsets.US_ASCII))));

        assertThat(deleted).isZero();
        assertThat(renewed).isZero();
        assertThat(server.command("GET", session.lockKey("aks"))).isEqualTo("someone-else");
    }

    @Test
    void waiterMintsItselfWhenTheLockHolderNeverAnswers() throws Exception {
        RedisTokens tokens = replica(new RedisTokens.Timing(Duration.ofSeconds(10), Duration.ofMillis(300), Duration.ofMillis(20)));
        server.command("SET", session.lockKey("aks"), "a-crashed-replica", "PX", "10000");
        AtomicInteger mints = new AtomicInteger();

        RedisTokens.Shared got = await(tokens.getOrMint(session, "aks", MARGIN, slowMint(mints, Duration.ZERO, token("own", Duration.ofMinutes(60)))));

        assertThat(got.source()).isEqualTo(RedisTokens.Source.MINTED_AFTER_WAIT);
        assertThat(mints.get()).isEqualTo(1);
        assertThat(await(tokens.get(session, "aks", Duration.ZERO))).map(AccessToken::value).contains("own");
    }
}
