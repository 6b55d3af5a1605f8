package io.github.aksauthproxy.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.aksauthproxy.entra.IdpFailure;
import io.github.aksauthproxy.it.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The waits after Entra's failures: backoff, its cap, Entra's Retry-After, jitter, and when a streak starts over. */
class FailureMemoryTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-02T10:00:00Z"));
    /** Every jitter drawn at the top of its range: our waits shortened by a fifth, Entra's lengthened by a fifth. */
    final FailureMemory<String> memory = new FailureMemory<>(clock, new Random() {
        @Override
        public double nextDouble() {
            return 1.0 - Math.ulp(1.0);
        }
    }, 1_000_000);

    static IdpFailure outage(Optional<Duration> retryAfter) {
        return new IdpFailure(IdpFailure.Kind.UNAVAILABLE, "temporarily_unavailable", Optional.empty(), "down", Optional.empty(), retryAfter);
    }

    private Duration waitAfterFailure(IdpFailure failure) {
        FailureMemory.Remembered r = memory.record("k", failure);
        Duration wait = Duration.between(clock.instant(), r.retryAt);
        clock.advance(wait);
        assertThat(memory.current("k")).as("the wait is over").isEmpty();
        return wait;
    }

    @Test
    void consecutiveFailuresWaitTwiceAsLongEachTimeUpToAMinuteLessTheirJitter() {
        assertThat(waitAfterFailure(outage(Optional.empty()))).isEqualTo(Duration.ofMillis(2_400));
        assertThat(waitAfterFailure(outage(Optional.empty()))).isEqualTo(Duration.ofMillis(4_800));
        assertThat(waitAfterFailure(outage(Optional.empty()))).isEqualTo(Duration.ofMillis(9_600));
        assertThat(waitAfterFailure(outage(Optional.empty()))).isEqualTo(Duration.ofMillis(19_200));
        assertThat(waitAfterFailure(outage(Optional.empty()))).isEqualTo(Duration.ofMillis(38_400));
        assertThat(waitAfterFailure(outage(Optional.empty()))).isEqualTo(Duration.ofMillis(48_000));
        assertThat(waitAfterFailure(outage(Optional.empty()))).isEqualTo(Duration.ofMillis(48_000));
    }

    @Test
    void entrasRetryAfterIsAFloorLengthenedByItsJitterAndBelievedUpToTenMinutes() {
        assertThat(waitAfterFailure(outage(Optional.of(Duration.ofSeconds(30))))).isEqualTo(Duration.ofMillis(36_000));
        assertThat(waitAfterFailure(outage(Optional.of(Duration.ofHours(5))))).isEqualTo(Duration.ofMinutes(12));
    }

    @Test
    void aFailureIsRememberedUntilItsWaitIsOverAndForgottenOnSuccess() {
        memory.record("k", outage(Optional.empty()));
        clock.advance(Duration.ofMillis(2_399));
        assertThat(memory.current("k")).isPresent();
        assertThat(memory.current("other")).isEmpty();
        memory.forget("k");
        assertThat(memory.current("k")).isEmpty();
        assertThat(waitAfterFailure(outage(Optional.empty()))).as("a success starts the streak over").isEqualTo(Duration.ofMillis(2_400));
    }

    @Test
    void failuresTwentyMinutesApartStartTheStreakOver() {
        waitAfterFailure(outage(Optional.empty()));
        assertThat(waitAfterFailure(outage(Optional.empty()))).isEqualTo(Duration.ofMillis(4_800));
        clock.advance(Duration.ofMinutes(20));
        assertThat(waitAfterFailure(outage(Optional.empty()))).isEqualTo(Duration.ofMillis(2_400));
    }

    @Test
    void onlyTheFirstRequestToldOfAFailureIsToldItFirst() {
        FailureMemory.Remembered r = memory.record("k", outage(Optional.empty()));
        assertThat(r.firstTold()).isTrue();
        assertThat(r.firstTold()).isFalse();
    }
}
