package io.github.aksauthproxy.config;

import java.time.Duration;

/**
 * A token bucket: up to {@code burst} requests at once, then one more every {@code refillEvery}.
 * A burst of 0 switches the limit off.
 */
public record RateLimit(int burst, Duration refillEvery) {
    public static final RateLimit OFF = new RateLimit(0, Duration.ofSeconds(1));

    public boolean enabled() {
        return burst > 0;
    }
}
