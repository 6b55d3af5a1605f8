package io.github.aksauthproxy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.config.RateLimit;
import io.github.aksauthproxy.it.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenBucketLimiterTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void burstThenOneTokenPerRefillIntervalWithExactRetryAfter() {
        TokenBucketLimiter<String> limiter = new TokenBucketLimiter<>(new RateLimit(2, Duration.ofSeconds(6)), clock, 10);
        assertThat(limiter.tryAcquire("a").allowed()).isTrue();
        assertThat(limiter.tryAcquire("a").allowed()).isTrue();
        assertThat(limiter.tryAcquire("a")).isEqualTo(new RateLimiter.Decision(false, 6));
        clock.advance(Duration.ofMillis(5001));
        assertThat(limiter.tryAcquire("a")).isEqualTo(new RateLimiter.Decision(false, 1));
        clock.advance(Duration.ofMillis(999));
        assertThat(limiter.tryAcquire("a").allowed()).isTrue();
        assertThat(limiter.tryAcquire("b").allowed()).isTrue();
    }

    @Test
    void aLongPauseRefillsOnlyUpToTheBurst() {
        TokenBucketLimiter<String> limiter = new TokenBucketLimiter<>(new RateLimit(3, Duration.ofMillis(20)), clock, 10);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire("u").allowed()).isTrue();
        }
        clock.advance(Duration.ofHours(1));
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire("u").allowed()).isTrue();
        }
        assertThat(limiter.tryAcquire("u").allowed()).isFalse();
    }

    @Test
    void aZeroBurstSwitchesTheLimitOff() {
        TokenBucketLimiter<String> limiter = new TokenBucketLimiter<>(RateLimit.OFF, clock, 10);
        for (int i = 0; i < 1000; i++) {
            assertThat(limiter.tryAcquire("u").allowed()).isTrue();
        }
    }
}
