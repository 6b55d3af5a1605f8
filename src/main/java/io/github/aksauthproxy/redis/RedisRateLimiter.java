package io.github.aksauthproxy.redis;

import io.github.aksauthproxy.config.RateLimit;
import io.github.aksauthproxy.ratelimit.RateLimiter;
import io.github.aksauthproxy.ratelimit.TokenBucketLimiter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The same limit as {@link TokenBucketLimiter} (up to {@code burst} at once, one more every {@code refillEvery}, a
 * refusal says the whole seconds until the next is allowed), held in Redis so it holds across replicas: burst B in
 * all, not B per replica. One atomic script per request, a GCRA on Redis's own clock ({@code TIME}), so replicas'
 * clocks do not matter. A bucket is one key that expires once it would be full again; its name is an HMAC of who it
 * limits, inside a hash tag, so it works on Redis Cluster too.
 *
 * <p>One script call per request, also on the warm path: leasing a few requests at a time to each replica would save
 * calls, but a lease used later than it was taken lets a user exceed the burst once the bucket has refilled meanwhile,
 * and a lease that lapses unused charges a slow user for requests never made (README, "Redis session store").
 *
 * <p>When Redis cannot answer, this replica's own bucket decides ({@code fallback}): a Redis outage must not turn
 * into 503s for requests that need nothing else from Redis (bearer callers), and the limit then holds per replica.
 */
public final class RedisRateLimiter<K> implements RateLimiter<K> {
    /**
     * KEYS: the bucket. ARGV: emission interval (µs), burst. The key holds the theoretical arrival time (µs): a
     * request is allowed when, after it, the bucket is at most {@code burst} intervals ahead of now.
     * Returns {allowed 1|0, µs until a request would be allowed}.
     */
    static final LuaScript<List<Object>> GCRA = LuaScript.array("rate-limit-gcra", """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local interval = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local tat = tonumber(redis.call('GET', KEYS[1]) or now)
            if tat < now then tat = now end
            local after = tat + interval
            local wait = after - now - burst * interval
            if wait > 0 then return {0, string.format('%.0f', wait)} end
            redis.call('SET', KEYS[1], string.format('%.0f', after), 'PX', string.format('%.0f', math.ceil((after - now) / 1000) + 1))
            return {1, '0'}
            """);

    private final Redis redis;
    private final RedisKeyring keys;
    private final String name;
    private final RateLimit limit;
    private final Function<K, String> subject;
    private final TokenBucketLimiter<K> fallback;

    /**
     * @param name the limit's name in the bucket keys, like {@code auth} or {@code sign_in}
     * @param subject who a key limits, as text (a user and profile, a client address): only its HMAC reaches Redis
     * @param fallback decides while Redis cannot
     */
    public RedisRateLimiter(Redis redis, RedisKeyring keys, String name, RateLimit limit, Function<K, String> subject,
                            TokenBucketLimiter<K> fallback) {
        this.redis = redis;
        this.keys = keys;
        this.name = name;
        this.limit = limit;
        this.subject = subject;
        this.fallback = fallback;
    }

    /** Takes one request from the key's bucket in Redis; this replica's own bucket decides when Redis cannot. */
    @Override
    public CompletionStage<Decision> acquire(K key) {
        if (!limit.enabled()) {
            return CompletableFuture.completedFuture(Decision.ALLOWED);
        }
        String bucket = "aap:{rl:" + name + ":" + keys.bucketName(name, subject.apply(key)) + "}";
        long intervalMicros = Math.max(1, limit.refillEvery().toNanos() / 1000);
        return redis.eval(GCRA, List.of(bucket), List.of(RedisSessions.ascii(intervalMicros), RedisSessions.ascii(limit.burst())))
                .handle((reply, failure) -> {
                    if (failure != null) {
                        return fallback.tryAcquire(key);   // Redis's failure was logged and counted by the client
                    }
                    boolean allowed = ((Long) reply.get(0)) == 1L;
                    long waitMicros = Long.parseLong(new String((byte[]) reply.get(1), StandardCharsets.US_ASCII));
                    return allowed ? Decision.ALLOWED : new Decision(false, Math.max(1, (waitMicros + 999_999) / 1_000_000));
                });
    }
}
