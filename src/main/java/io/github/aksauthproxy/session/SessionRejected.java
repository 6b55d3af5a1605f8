package io.github.aksauthproxy.session;

/** Why a request carries no usable session. Logged as is; the client only ever sees a generic 401. */
public enum SessionRejected {
    MISSING("no session cookie"),
    MALFORMED("the session cookie is not a well-formed encrypted value (truncated, tampered or from another service)"),
    UNKNOWN_KEY("the session cookie was encrypted with a key that is no longer in AKS_AUTH_PROXY_COOKIE_SECRETS"),
    DECRYPTION_FAILED("the session cookie failed authenticated decryption (tampered, or a wrong key)"),
    WRONG_KIND("the cookie holds another kind of value than a session"),
    EXPIRED("the session outlived AKS_AUTH_PROXY_SESSION_LIFETIME"),
    IDLE_EXPIRED("the session was idle longer than AKS_AUTH_PROXY_SESSION_IDLE_TIMEOUT"),
    REVOKED("the refresh token was rejected by Entra (invalid_grant or interaction_required); the user must sign in again"),
    NOT_IN_STORE("the session ticket names a session the store does not hold: signed out, revoked, expired, or made before a store switch"),
    RECORD_TAMPERED("the session record in Redis failed authenticated decryption (changed or corrupted in Redis); the user must sign in again");

    private final String reason;

    SessionRejected(String reason) {
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
