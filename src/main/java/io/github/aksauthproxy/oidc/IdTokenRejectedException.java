package io.github.aksauthproxy.oidc;

/** An ID token that must not be trusted, with the precise reason for the log. */
public final class IdTokenRejectedException extends Exception {
    public IdTokenRejectedException(String reason) {
        super(reason, null, false, false);
    }
}
