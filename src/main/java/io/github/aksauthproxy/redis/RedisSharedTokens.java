package io.github.aksauthproxy.redis;

import io.github.aksauthproxy.entra.AccessToken;
import io.github.aksauthproxy.session.Session;
import io.github.aksauthproxy.token.SharedTokens;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * {@link RedisTokens} as the token service's shared cache: the session's tokens under its {@link SessionRef}. When Redis
 * fails before anything was minted, the token is minted here alone: Redis only saves Entra requests, and a request
 * whose session was just verified deserves its token more than a 503.
 */
public final class RedisSharedTokens implements SharedTokens {
    private final RedisTokens tokens;

    public RedisSharedTokens(RedisTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public CompletionStage<AccessToken> getOrMint(Session session, String profile, Duration minimumLeft,
                                                  Supplier<CompletionStage<AccessToken>> mint) {
        if (!(session.storeRef().orElse(null) instanceof SessionRef ref)) {
            return mint.get();
        }
        AtomicBoolean minted = new AtomicBoolean();
        Supplier<CompletionStage<AccessToken>> once = () -> {
            minted.set(true);
            return mint.get();
        };
        return tokens.getOrMint(ref, profile, minimumLeft, once).thenApply(RedisTokens.Shared::token).toCompletableFuture()
                .exceptionallyCompose(e -> RedisUnavailable.in(e).isPresent() && !minted.get()
                        ? mint.get() : CompletableFuture.failedFuture(e));
    }
}
