package io.github.aksauthproxy.redis;

import io.github.aksauthproxy.config.RateLimit;
import io.github.aksauthproxy.ratelimit.TokenBucketLimiter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The same limit as {@link TokenBucketLimiter} (up to {@code burst} at once, one more every {@code refillEvery}, a
 * refusal says the whole seconds until the next is allowed), held in Redis so it holds across replicas: burst B in
 * all, not B per replica. One atomic script per request, a GCRA on Redis's own clock ({@code TIME}), so replicas'
 * clocks do not matter. A bucket is one key that expires once it would be full again; its name is an HMAC of who it
 * limits, inside a hash tag, so it works on Redis Cluster too.
 */
public final class RedisRateLimiter {
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

    /** @param name the limit's name in the bucket keys, like {@code auth} or {@code sign_in} */
    public RedisRateLimiter(Redis redis, RedisKeyring keys, String name, RateLimit limit) {
        this.redis = redis;
        this.keys = keys;
        this.name = name;
        this.limit = limit;
    }

    /** Takes one request from the subject's bucket (a user and profile, or a client address). Fails with {@link RedisUnavailable}. */
    public CompletionStage<TokenBucketLimiter.Decision> tryAcquire(String subject) {
        if (!limit.enabled()) {
            return CompletableFuture.completedFuture(new TokenBucketLimiter.Decision(true, 0));
        }
        String bucket = "aap:{rl:" + name + ":" + keys.bucketName(name, subject) + "}";
        long intervalMicros = Math.max(1, limit.refillEvery().toNanos() / 1000);
        return redis.eval(GCRA, List.of(bucket), List.of(RedisSessions.ascii(intervalMicros), RedisSessions.ascii(limit.burst())))
                .thenApply(reply -> {
                    boolean allowed = ((Long) reply.get(0)) == 1L;
                    long waitMicros = Long.parseLong(new String((byte[]) reply.get(1), java.nio.charset.StandardCharsets.US_ASCII));
                    return new TokenBucketLimiter.Decision(allowed, allowed ? 0 : Math.max(1, (waitMicros + 999_999) / 1_000_000));
                });
    }
}
