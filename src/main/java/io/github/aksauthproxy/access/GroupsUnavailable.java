package io.github.aksauthproxy.access;

import java.time.Duration;

/**
 * Microsoft Graph cannot say which groups a user in group overage is in, now: unreachable, throttling, refusing
 * (a permission or its consent is missing), or there is no Graph token. Never "no groups".
 */
public final class GroupsUnavailable extends RuntimeException {
    private final Duration retryAfter;
    private final boolean first;

    /**
     * @param reason for the log: what failed and, for a refusal, which permission or consent is missing; never a token
     * @param retryAfter how long until Graph is asked again for this session
     * @param first the first request told about this failure (it logs it; later ones within the wait do not)
     */
    GroupsUnavailable(String reason, Duration retryAfter, boolean first) {
        super(reason, null, false, false);
        this.retryAfter = retryAfter;
        this.first = first;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public boolean first() {
        return first;
    }
}
