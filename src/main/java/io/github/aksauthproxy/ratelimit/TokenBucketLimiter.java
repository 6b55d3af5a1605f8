package io.github.aksauthproxy.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.aksauthproxy.config.RateLimit;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One token bucket per key (a user and profile, or a client address), held in a bounded cache so a flood of
 * new keys cannot exhaust memory. A bucket starts full with {@code burst} tokens and regains one every
 * {@code refillEvery}; a bucket left alone long enough to refill completely is dropped, since a new one is the
 * same. The check is a few arithmetic operations under the bucket's own lock: nothing blocks.
 */
public final class TokenBucketLimiter<K> implements RateLimiter<K> {
    /** Shared by every allowed request: a completed stage nobody completes again. */
    private static final CompletableFuture<Decision> ALLOWED_NOW = CompletableFuture.completedFuture(Decision.ALLOWED);

    private final RateLimit limit;
    private final Clock clock;
    private final Cache<K, Bucket> buckets;
    private final long refillNanos;

    public TokenBucketLimiter(RateLimit limit, Clock clock, long maximumKeys) {
        this.limit = limit;
        this.clock = clock;
        this.refillNanos = Math.max(1, limit.refillEvery().toNanos());
        Duration full = limit.refillEvery().multipliedBy(Math.max(1, limit.burst()));
        this.buckets = Caffeine.newBuilder().maximumSize(maximumKeys).expireAfterAccess(full)
                .ticker(ticker(clock)).build();
    }

    @Override
    public CompletionStage<Decision> acquire(K key) {
        Decision d = tryAcquire(key);
        return d.allowed() ? ALLOWED_NOW : CompletableFuture.completedFuture(d);
    }

    /** Takes one token for the key if there is one. */
    public Decision tryAcquire(K key) {
        if (!limit.enabled()) {
            return Decision.ALLOWED;
        }
        long now = nanos();
        Bucket bucket = buckets.get(key, k -> new Bucket(limit.burst(), now));
        return bucket.take(now);
    }

    private long nanos() {
        return TimeUnit.MILLISECONDS.toNanos(clock.millis());
    }

    private static Ticker ticker(Clock clock) {
        return () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
    }

    /** Tokens are counted in nanoseconds of refill time, so no fractions are lost between requests. */
    private final class Bucket {
        private long credit;
        private long updated;

        Bucket(int burst, long now) {
            this.credit = burst * refillNanos;
            this.updated = now;
        }

        synchronized Decision take(long now) {
            long capacity = limit.burst() * refillNanos;
            if (now > updated) {
                credit = Math.min(capacity, credit + (now - updated));
                updated = now;
            }
            if (credit >= refillNanos) {
                credit -= refillNanos;
                return Decision.ALLOWED;
            }
            long waitNanos = refillNanos - credit;
            return new Decision(false, Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L));
        }
    }
}
