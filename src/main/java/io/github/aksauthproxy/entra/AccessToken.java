package io.github.aksauthproxy.entra;

import java.time.Instant;

/** An access token Entra issued; {@link #toString()} never shows the token. */
public record AccessToken(String value, Instant expiresOn) {
    @Override
    public String toString() {
        return "AccessToken[expiresOn=" + expiresOn + "]";
    }
}
