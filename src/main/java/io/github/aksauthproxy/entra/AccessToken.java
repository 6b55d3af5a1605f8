package io.github.aksauthproxy.entra;

import io.github.aksauthproxy.config.Secret;
import java.time.Instant;
import java.util.Optional;

/**
 * An access token Entra issued; {@link #toString()} never shows the token.
 *
 * @param idToken the ID token Entra returned beside it (its groups are the user's groups now); only on a token just
 *     minted, never kept in a cache
 */
public record AccessToken(String value, Instant expiresOn, Optional<Secret> idToken) {
    public AccessToken(String value, Instant expiresOn) {
        this(value, expiresOn, Optional.empty());
    }

    /** This token without the ID token that came with it: what a cache keeps. */
    public AccessToken withoutIdToken() {
        return idToken.isEmpty() ? this : new AccessToken(value, expiresOn);
    }

    @Override
    public String toString() {
        return "AccessToken[expiresOn=" + expiresOn + "]";
    }
}
