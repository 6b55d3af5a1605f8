package io.github.aksauthproxy.oidc;

/** The identity provider's discovery document or keys cannot be had right now. */
public final class OidcUnavailableException extends Exception {
    public OidcUnavailableException(String message) {
        super(message, null, false, false);
    }
}
