package io.github.aksauthproxy.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.aksauthproxy.entra.IdpFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What Entra answered when it gave no token, per key, and until when nobody asks it again: the first failure waits
 * {@link #FIRST_WAIT}, each further one twice as long up to {@link #LONGEST_WAIT}, and never less than Entra's own
 * {@code Retry-After}. Without this every request of an outage or of a dead session makes its own call, which is
 * exactly what gets a client throttled (AADSTS50196).
 *
 * <p>Jitter keeps sessions that failed together from returning together: our own waits are shortened by up to
 * {@link #JITTER} of themselves, Entra's {@code Retry-After} (a floor) is lengthened by up to as much.
 */
final class FailureMemory<K> {
    /**
     * Short enough that a session refused once, as Entra came back, is served again within 3 s (the fault harness saw
     * 6 s with 5 s); the doubling still keeps an outage's requests down.
     */
    static final Duration FIRST_WAIT = Duration.ofSeconds(3);
    static final Duration LONGEST_WAIT = Duration.ofSeconds(60);
    /** A longer Retry-After is taken as this: an absurd value must not lock a user out for hours. */
    static final Duration LONGEST_RETRY_AFTER = Duration.ofMinutes(10);
    static final double JITTER = 0.2;
    /** Failures this far apart are not consecutive: the next one starts again at the first wait. */
    private static final Duration STREAK = LONGEST_RETRY_AFTER.multipliedBy(2);

    private final Clock clock;
    private final Random random;
    private final Cache<K, Remembered> entries;

    /** One remembered answer: Entra's failure, when to ask again, how many failures in a row. */
    static final class Remembered {
        final IdpFailure failure;
        final Instant retryAt;
        final int streak;
        private final AtomicBoolean told = new AtomicBoolean();

        Remembered(IdpFailure failure, Instant retryAt, int streak) {
            this.failure = failure;
            this.retryAt = retryAt;
            this.streak = streak;
        }

        /** True exactly once: for the first request told about this failure. */
        boolean firstTold() {
            return told.compareAndSet(false, true);
        }
    }

    /** @param maxBytes the most bytes the remembered failures may hold, as {@link #weight} estimates them */
    FailureMemory(Clock clock, Random random, long maxBytes) {
        this.clock = clock;
        this.random = random;
        Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
        this.entries = Caffeine.newBuilder().maximumWeight(maxBytes).weigher((K key, Remembered r) -> weight(r.failure))
                .expireAfterWrite(STREAK).ticker(ticker).build();
    }

    /**
     * About what one remembered failure retains with its cache entry and key: a few hundred bytes of objects, and
     * Entra's texts (its error description and claims challenge, which can be long), a byte per character.
     */
    static int weight(IdpFailure failure) {
        return 400 + String.valueOf(failure.getMessage()).length() + failure.claims().map(String::length).orElse(0);
    }

    /** Remembers a failure and returns it with the time of the next attempt. */
    Remembered record(K key, IdpFailure failure) {
        Remembered previous = entries.getIfPresent(key);
        int streak = previous == null ? 1 : previous.streak + 1;
        Instant now = clock.instant();
        Remembered r = new Remembered(failure, now.plusMillis(waitMillis(streak, failure)), streak);
        entries.put(key, r);
        return r;
    }

    /** The remembered failure while its wait lasts. */
    Optional<Remembered> current(K key) {
        Remembered r = entries.getIfPresent(key);
        return r != null && clock.instant().isBefore(r.retryAt) ? Optional.of(r) : Optional.empty();
    }

    void forget(K key) {
        entries.invalidate(key);
    }

    private long waitMillis(int streak, IdpFailure failure) {
        long backoff = Math.min(LONGEST_WAIT.toMillis(), FIRST_WAIT.toMillis() << Math.min(streak - 1, 20));
        long ours = (long) (backoff * (1 - JITTER * random.nextDouble()));
        long theirs = failure.retryAfter()
                .map(d -> d.compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : d)
                .map(d -> (long) (d.toMillis() * (1 + JITTER * random.nextDouble())))
                .orElse(0L);
        return Math.max(ours, theirs);
    }
}
