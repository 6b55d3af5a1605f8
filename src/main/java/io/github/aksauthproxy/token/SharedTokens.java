package io.github.aksauthproxy.token;

import io.github.aksauthproxy.entra.AccessToken;
import io.github.aksauthproxy.session.Session;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A token cache shared by every replica, behind {@link TokenService}'s own (which stays in front, so a warm request
 * asks nobody). On a miss it answers a token another replica stored, or has exactly one replica mint while the others
 * wait for its result. {@link #NONE}, the cookie store's, just mints.
 */
public interface SharedTokens {
    /** Nothing shared: every miss is this replica's own request to Entra. */
    SharedTokens NONE = (session, profile, minimumLeft, mint) -> mint.get();

    /**
     * A stored token for this session and profile with at least {@code minimumLeft} left, else the one {@code mint}
     * returns (called at most once). Fails only with {@code mint}'s own failure: when the shared cache cannot be
     * reached, {@code mint} is called, since a token in hand beats a 503.
     */
    CompletionStage<AccessToken> getOrMint(Session session, String profile, Duration minimumLeft, Supplier<CompletionStage<AccessToken>> mint);
}
