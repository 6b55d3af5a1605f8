package io.github.aksauthproxy.access;

import java.time.Duration;
import java.util.Optional;

/**
 * The answer to "may this subject use this profile?".
 *
 * @param reason why, for the log and the whoami page; never contains a token
 * @param retryAfter for {@link Outcome#UNAVAILABLE}: how long until asking again may help, when known (Graph's own
 *     {@code Retry-After}, or the wait before Graph is asked again for the session)
 */
public record AccessDecision(Outcome outcome, String reason, Optional<Duration> retryAfter) {
    public enum Outcome {
        ALLOWED,
        DENIED,
        /** The API server or Microsoft Graph could not answer and the profile fails closed: 503. */
        UNAVAILABLE
    }

    /** The decision for a profile without rules. */
    public static final AccessDecision OPEN = new AccessDecision(Outcome.ALLOWED, "the profile has no rules");

    public AccessDecision(Outcome outcome, String reason) {
        this(outcome, reason, Optional.empty());
    }

    public boolean allowed() {
        return outcome == Outcome.ALLOWED;
    }
}
