package io.github.aksauthproxy.access;

import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/** Caffeine entries about a session live until the session ends, not a moment longer. */
record UntilSessionEnd<V>(Clock clock, Function<V, Instant> sessionEnd) implements Expiry<String, V> {
    @Override
    public long expireAfterCreate(String sessionId, V value, long currentTime) {
        return Math.max(0, Duration.between(clock.instant(), sessionEnd.apply(value)).toNanos());
    }

    @Override
    public long expireAfterUpdate(String sessionId, V value, long currentTime, long currentDuration) {
        return expireAfterCreate(sessionId, value, currentTime);
    }

    @Override
    public long expireAfterRead(String sessionId, V value, long currentTime, long currentDuration) {
        return currentDuration;
    }
}
