package io.github.aksauthproxy.redis;

import io.github.aksauthproxy.config.Config;
import io.github.aksauthproxy.config.RateLimit;
import io.github.aksauthproxy.config.RedisConfig;
import io.github.aksauthproxy.ratelimit.RateLimiter;
import io.github.aksauthproxy.ratelimit.TokenBucketLimiter;
import io.github.aksauthproxy.session.CookieNames;
import io.github.aksauthproxy.session.SessionStore;
import io.github.aksauthproxy.token.SharedTokens;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Everything the {@code redis} session store is made of, built from the configuration in one place and closed
 * together: the client (with Entra credentials when {@code AKS_AUTH_PROXY_REDIS_AUTH=entra}), the sessions, the shared
 * token cache and the shared rate limits. {@code serve} and the {@code sessions} command build it the same way.
 */
public final class RedisBackend implements AutoCloseable {
    /** How long {@link #problem()} waits for Redis's answer. */
    static final Duration PING_WITHIN = Duration.ofSeconds(3);
    private final LettuceRedis redis;
    private final Optional<EntraRedisCredentials> entra;
    private final RedisKeyring keys;
    private final RedisSessions sessions;
    private final Clock clock;
    private final SecureRandom random;

    private RedisBackend(LettuceRedis redis, Optional<EntraRedisCredentials> entra, RedisKeyring keys, RedisSessions sessions, Clock clock,
                         SecureRandom random) {
        this.redis = redis;
        this.entra = entra;
        this.keys = keys;
        this.sessions = sessions;
        this.clock = clock;
        this.random = random;
    }

    /**
     * A client for {@code config.redis()}, not yet connected (it connects on first use, so a service can start while
     * Redis is away and becomes ready when it is back).
     *
     * @param appTokens the service's own app-only tokens (MSAL4J client credentials), for {@link RedisConfig.Auth#ENTRA}
     */
    public static RedisBackend create(Config config, RedisConfig redisConfig, Clock clock, SecureRandom random, AppTokenSource appTokens) {
        Optional<EntraRedisCredentials> entra = redisConfig.auth() == RedisConfig.Auth.ENTRA
                ? Optional.of(new EntraRedisCredentials(appTokens, clock, EntraRedisCredentials.Renewal.DEFAULT)) : Optional.empty();
        LettuceRedis redis = LettuceRedis.create(redisConfig, entra, Redis.Timeouts.DEFAULT, RedisFailureLog.everyTenSeconds());
        RedisKeyring keys = new RedisKeyring(config.cookieKeys());
        RedisSessions sessions = new RedisSessions(redis, keys, clock, random, config.sessionIdleTimeout(), List.copyOf(config.profiles().keySet()),
                config.memory().sessionCacheBytes());
        return new RedisBackend(redis, entra, keys, sessions, clock, random);
    }

    public RedisSessions sessions() {
        return sessions;
    }

    public SessionStore sessionStore(CookieNames names) {
        return new RedisSessionStore(sessions, names, clock);
    }

    /** @param expiryMargin a token is neither kept nor handed out with less than this left (the token service's margin) */
    public SharedTokens sharedTokens(Duration expiryMargin) {
        return new RedisSharedTokens(new RedisTokens(redis, clock, random, expiryMargin, RedisTokens.Timing.DEFAULT));
    }

    /** One limit for every replica; {@code local} decides while Redis cannot. */
    public <K> RateLimiter<K> rateLimiter(String name, RateLimit limit, Function<K, String> subject, TokenBucketLimiter<K> local) {
        return new RedisRateLimiter<>(redis, keys, name, limit, subject, local);
    }

    public SessionAdmin admin() {
        return new SessionAdmin(redis, sessions, clock);
    }

    /** Why this replica cannot use Redis now, for readiness; blocks up to a few seconds, so call it on a worker. */
    public Optional<String> problem() {
        try {
            redis.ping().toCompletableFuture().get(PING_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
            return Optional.empty();
        } catch (java.util.concurrent.ExecutionException e) {
            RedisUnavailable why = RedisUnavailable.from(e.getCause());
            return Optional.of("Redis cannot be used (" + why.reason().label() + "): " + why.getMessage());
        } catch (java.util.concurrent.TimeoutException e) {
            return Optional.of("Redis did not answer PING within " + PING_WITHIN.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while asking Redis");
        }
    }

    /** Failed commands since start, by reason, and whether the last command succeeded: for the metrics. */
    public RedisFailureLog failures() {
        return redis.failures();
    }

    public boolean reachable() {
        return redis.reachable();
    }

    @Override
    public void close() {
        redis.close();
        entra.ifPresent(EntraRedisCredentials::close);
    }
}
