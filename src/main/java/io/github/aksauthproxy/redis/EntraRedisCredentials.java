package io.github.aksauthproxy.redis;

import com.nimbusds.jwt.JWTParser;
import io.github.aksauthproxy.async.Causes;
import io.github.aksauthproxy.entra.AccessToken;
import io.github.aksauthproxy.entra.IdpFailure;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Redis credentials for Microsoft Entra authentication (Azure Managed Redis, Azure Cache for Redis): the password is an
 * app-only token of the service's own identity for {@value #SCOPE}, the user name is that identity's object id, read
 * from the token's {@code oid} claim (not the client id).
 *
 * <p>Azure closes a connection whose token has expired unless AUTH was sent on it again. So a new token is fetched
 * {@link Renewal#lead} plus a random part of {@link Renewal#jitter} before the current one expires (at half its life
 * for tokens shorter than that) and streamed to Lettuce, which re-authenticates every open connection with it
 * ({@code ReauthenticateBehavior.ON_NEW_CREDENTIALS}); new connections take the newest. A failed fetch is retried every
 * {@link Renewal#retryEvery} while the current token still works.
 */
public final class EntraRedisCredentials implements RedisCredentialsProvider, AutoCloseable {
    public static final String SCOPE = "https://redis.azure.com/.default";
    private static final Logger LOG = LoggerFactory.getLogger(EntraRedisCredentials.class);

    private final AppTokenSource source;
    private final Clock clock;
    private final Renewal renewal;
    private final Random random;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "redis-entra-credentials");
        t.setDaemon(true);
        return t;
    });
    private final Sinks.Many<RedisCredentials> stream = Sinks.many().replay().latest();
    private final AtomicReference<RedisCredentials> current = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<RedisCredentials>> fetching = new AtomicReference<>();

    /** When to renew: at least {@code lead} plus up to {@code jitter} before expiry; after a failure, every {@code retryEvery}. */
    public record Renewal(Duration lead, Duration jitter, Duration retryEvery) {
        /** Azure's advice: renew at least 3 minutes ahead; jitter spreads the replicas' requests to Entra. */
        public static final Renewal DEFAULT = new Renewal(Duration.ofMinutes(3), Duration.ofMinutes(2), Duration.ofSeconds(10));
    }

    public EntraRedisCredentials(AppTokenSource source, Clock clock, Renewal renewal) {
        this(source, clock, renewal, new SecureRandom());
    }

    EntraRedisCredentials(AppTokenSource source, Clock clock, Renewal renewal, Random random) {
        this.source = source;
        this.clock = clock;
        this.renewal = renewal;
        this.random = random;
    }

    /** Fetches the first token now (optional: the first connection would otherwise ask for it). */
    public CompletableFuture<Void> start() {
        return fetch().thenApply(c -> null);
    }

    @Override
    public Mono<RedisCredentials> resolveCredentials() {
        RedisCredentials now = current.get();
        return now != null ? Mono.just(now) : Mono.fromFuture(fetch());
    }

    @Override
    public boolean supportsStreaming() {
        return true;
    }

    @Override
    public Flux<RedisCredentials> credentials() {
        return stream.asFlux();
    }

    /** One fetch at a time; callers share it. On success the credentials are streamed and the next renewal is scheduled. */
    private CompletableFuture<RedisCredentials> fetch() {
        CompletableFuture<RedisCredentials> mine = new CompletableFuture<>();
        CompletableFuture<RedisCredentials> running = fetching.compareAndExchange(null, mine);
        if (running != null) {
            return running;
        }
        CompletableFuture<AccessToken> token;
        try {
            token = source.acquire(SCOPE).toCompletableFuture();
        } catch (RuntimeException e) {
            token = CompletableFuture.failedFuture(e);
        }
        token.thenApply(this::credentialsOf).whenComplete((creds, e) -> {
            fetching.set(null);
            if (e != null) {
                Throwable cause = Causes.of(e);
                LOG.atWarn().addKeyValue("event", "redis.credentials_failed").addKeyValue("reason", describe(cause))
                        .addKeyValue("retry_in_s", renewal.retryEvery().toSeconds()).log();
                schedule(renewal.retryEvery());
                mine.completeExceptionally(cause);
                return;
            }
            current.set(creds.credentials());
            synchronized (stream) {
                stream.tryEmitNext(creds.credentials());
            }
            schedule(renewIn(creds.expiresOn()));
            mine.complete(creds.credentials());
        });
        return mine;
    }

    private record Fetched(RedisCredentials credentials, Instant expiresOn) {
    }

    private Fetched credentialsOf(AccessToken token) {
        String oid;
        try {
            oid = JWTParser.parse(token.value()).getJWTClaimsSet().getStringClaim("oid");
        } catch (java.text.ParseException | RuntimeException e) {
            throw new IllegalStateException("the token for " + SCOPE + " is not a JWT with an oid claim");
        }
        if (oid == null || oid.isBlank()) {
            throw new IllegalStateException("the token for " + SCOPE + " has no oid claim, the Redis user name");
        }
        return new Fetched(RedisCredentials.just(oid, token.value()), token.expiresOn());
    }

    /** How long until the next fetch: lead plus jitter before expiry, at most half the token's remaining life. */
    Duration renewIn(Instant expiresOn) {
        Duration left = Duration.between(clock.instant(), expiresOn);
        long jitterMillis = renewal.jitter().isZero() ? 0 : (long) (random.nextDouble() * renewal.jitter().toMillis());
        Duration ahead = renewal.lead().plusMillis(jitterMillis);
        if (ahead.compareTo(left.dividedBy(2)) > 0) {
            ahead = left.dividedBy(2);
        }
        Duration in = left.minus(ahead);
        return in.isNegative() ? Duration.ZERO : in;
    }

    private void schedule(Duration in) {
        try {
            timer.schedule(() -> {
                fetch();
            }, in.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // closed: no more renewals
        }
    }

    private static String describe(Throwable e) {
        return e instanceof IdpFailure f ? f.describe() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        stream.tryEmitComplete();
    }
}
