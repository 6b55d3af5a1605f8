package io.github.aksauthproxy.token;

import io.github.aksauthproxy.entra.IdpFailure;
import java.time.Duration;

/**
 * Why no token can be had for a session and profile, as the caller should answer it. Built from Entra's answer,
 * either just now or as remembered from an earlier request (so a dead session or an outage costs Entra one call,
 * not one per request).
 */
public final class TokenFailure extends RuntimeException {
    /** What the answer to the request is. */
    public enum Outcome {
        /** The session is over: Entra mints nothing more for it without the user (401, sign in again). */
        SIGN_IN_AGAIN("session_ended"),
        /** Nobody consented to the profile's scopes; only an administrator can fix it (403). */
        CONSENT_REQUIRED("consent_required"),
        /** Entra refuses even right after a sign-in that carried the profile's scopes and claims (403, no more sign-ins). */
        REFUSED_AFTER_SIGN_IN("step_up_refused"),
        /** Not now: Entra is unreachable, failing, throttling or refusing our configuration (503 with Retry-After). */
        UNAVAILABLE("token_unavailable");

        private final String reason;

        Outcome(String reason) {
            this.reason = reason;
        }

        /** A fixed word for the audit trail. */
        public String reason() {
            return reason;
        }
    }

    private final Outcome outcome;
    private final IdpFailure entra;
    private final Duration retryAfter;
    private final boolean first;

    TokenFailure(Outcome outcome, IdpFailure entra, Duration retryAfter, boolean first) {
        super(entra.describe(), null, false, false);
        this.outcome = outcome;
        this.entra = entra;
        this.retryAfter = retryAfter;
        this.first = first;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** Entra's answer behind it. */
    public IdpFailure entra() {
        return entra;
    }

    /** For {@link Outcome#UNAVAILABLE}: how long until the next request may ask Entra again. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** True for the first request told about this answer of Entra: it logs and audits it, the later ones do not. */
    public boolean first() {
        return first;
    }
}
