package io.github.aksauthproxy.entra;

import io.github.aksauthproxy.config.Secret;

/** What a code redemption leaves us: the ID token to validate and the refresh token to keep. */
public record SignInResult(Secret idToken, Secret refreshToken) {
}
