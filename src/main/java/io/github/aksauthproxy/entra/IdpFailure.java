package io.github.aksauthproxy.entra;

import java.util.Optional;

/** A request to Entra that did not yield a token, sorted by what the caller should do about it. */
public final class IdpFailure extends RuntimeException {
    /** What kind of failure. */
    public enum Kind {
        /** The refresh token or code is no longer good (invalid_grant, interaction_required): sign in again. */
        GRANT_REJECTED,
        /** Entra refused the request for a configuration reason (wrong client, missing consent...). */
        REJECTED,
        /** Entra could not be reached or failed; retrying later may work. */
        UNAVAILABLE
    }

    private final Kind kind;
    private final String errorCode;
    private final Optional<String> aadsts;

    public IdpFailure(Kind kind, String errorCode, Optional<String> aadsts, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.errorCode = errorCode;
        this.aadsts = aadsts;
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

    /** A sentence for the log: what went wrong and what to do. Never contains a token or an assertion. */
    public String describe() {
        return getMessage() + aadsts.flatMap(AadstsExplanations::explain).map(e -> " (" + aadsts.get() + ": " + e + ")").orElse("");
    }
}
