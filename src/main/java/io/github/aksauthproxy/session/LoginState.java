package io.github.aksauthproxy.session;

import io.github.aksauthproxy.config.Secret;
import java.time.Instant;

/**
 * One sign-in attempt, kept in its own encrypted cookie named from {@code state} so several tabs and browsers
 * can sign in at once. The nonce and PKCE verifier are single-use: the cookie is cleared by the callback.
 */
public record LoginState(String state, Secret nonce, Secret codeVerifier, String redirectTarget, Instant createdAt) {
}
