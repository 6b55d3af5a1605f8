package io.github.aksauthproxy.access;

/**
 * The answer to "may this subject use this profile?".
 *
 * @param reason why, for the log and the whoami page; never contains a token
 */
public record AccessDecision(Outcome outcome, String reason) {
    public enum Outcome {
        ALLOWED,
        DENIED,
        /** The API server could not answer and the profile fails closed: 503. */
        UNAVAILABLE
    }

    /** The decision for a profile without rules. */
    public static final AccessDecision OPEN = new AccessDecision(Outcome.ALLOWED, "the profile has no rules");

    public boolean allowed() {
        return outcome == Outcome.ALLOWED;
    }
}
