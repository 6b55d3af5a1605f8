package io.github.aksauthproxy.session;

import io.github.aksauthproxy.config.Secret;
import java.time.Instant;
import java.util.Optional;

/**
 * One sign-in attempt, kept in its own encrypted cookie named from {@code state} so several tabs and browsers
 * can sign in at once. The nonce and PKCE verifier are single-use: the cookie is cleared by the callback.
 *
 * @param stepUp the profile this sign-in steps up for (see {@link Session#stepUp()})
 */
public record LoginState(String state, Secret nonce, Secret codeVerifier, String redirectTarget, Instant createdAt, Optional<String> stepUp) {
    public LoginState(String state, Secret nonce, Secret codeVerifier, String redirectTarget, Instant createdAt) {
        this(state, nonce, codeVerifier, redirectTarget, createdAt, Optional.empty());
    }
}
