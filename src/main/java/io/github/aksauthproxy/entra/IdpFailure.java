package io.github.aksauthproxy.entra;

import java.time.Duration;
import java.util.Optional;

/** A request to Entra that did not yield a token, sorted by what the caller should do about it. */
public final class IdpFailure extends RuntimeException {
    /** What kind of failure. */
    public enum Kind {
        /**
         * The refresh token or code is no longer good, or Conditional Access wants more than it proves (MFA, a
         * compliant device...: invalid_grant, interaction_required): sign in again. A Conditional Access refusal may
         * carry a {@link #claims()} challenge for that sign-in to present (AADSTS50076, AADSTS53003...).
         */
        GRANT_REJECTED,
        /** Nobody consented to the scope (AADSTS65001): an administrator must grant it; signing in again cannot. */
        CONSENT_REQUIRED,
        /** Entra refused the request for a configuration reason (wrong client, unknown app...). */
        REJECTED,
        /** Entra could not be reached, failed or throttled; retrying later may work. */
        UNAVAILABLE
    }

    private final Kind kind;
    private final String errorCode;
    private final Optional<String> aadsts;
    private final Optional<String> claims;
    private final Optional<Duration> retryAfter;

    public IdpFailure(Kind kind, String errorCode, Optional<String> aadsts, String message) {
        this(kind, errorCode, aadsts, message, Optional.empty(), Optional.empty());
    }

    /**
     * @param claims Entra's claims challenge, to be sent as the {@code claims} parameter of the next sign-in
     * @param retryAfter the wait Entra asked for ({@code Retry-After})
     */
    public IdpFailure(Kind kind, String errorCode, Optional<String> aadsts, String message, Optional<String> claims,
                      Optional<Duration> retryAfter) {
        super(message, null, false, false);
        this.kind = kind;
        this.errorCode = errorCode;
        this.aadsts = aadsts;
        this.claims = claims;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    /** The OAuth error code, like {@code invalid_grant}, or a local one like {@code unreachable}. */
    public String errorCode() {
        return errorCode;
    }

    /** The AADSTS code Entra named, like {@code AADSTS70021}. */
    public Optional<String> aadsts() {
        return aadsts;
    }

    /** Entra's claims challenge (a JSON text of policy ids, no secret), for the next sign-in to present. */
    public Optional<String> claims() {
        return claims;
    }

    /** How long Entra asked us to wait before asking again. */
    public Optional<Duration> retryAfter() {
        return retryAfter;
    }

    /** The AADSTS code when Entra named one, else the OAuth error code: what a person can look up. */
    public String code() {
        return aadsts.orElse(errorCode);
    }

    /** A sentence for the log: what went wrong and what to do. Never contains a token or an assertion. */
    public String describe() {
        return getMessage() + aadsts.flatMap(AadstsExplanations::explain).map(e -> " (" + aadsts.get() + ": " + e + ")").orElse("");
    }
}
