package io.github.aksauthproxy.token;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.aksauthproxy.config.Profile;
import io.github.aksauthproxy.entra.AccessToken;
import io.github.aksauthproxy.entra.EntraUserFlows;
import io.github.aksauthproxy.session.Session;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Access tokens per session and profile. A token is served from memory until shortly before its own
 * {@code exp} (never the session's age decides); concurrent misses for one key share one request to Entra; and
 * a token used within its last minutes is renewed in the background so active users do not wait on Entra.
 */
public final class TokenService {
    private static final Logger LOG = LoggerFactory.getLogger(TokenService.class);
    /** A token is not handed out with less than this left: the upstream needs time to use it. */
    static final Duration EXPIRY_MARGIN = Duration.ofMinutes(1);
    /** Within this of its expiry a token in use is renewed in the background. */
    static final Duration RENEW_AHEAD = Duration.ofMinutes(5);

    private final EntraUserFlows entra;
    private final Clock clock;
    private final AsyncCache<Key, AccessToken> cache;
    private final Map<Key, CompletableFuture<AccessToken>> renewing = new ConcurrentHashMap<>();

    /** Cache key: one token per session and profile. */
    record Key(String sessionId, String profile) {
    }

    public TokenService(EntraUserFlows entra, Clock clock, long maximumSize) {
        this.entra = entra;
        this.clock = clock;
        this.cache = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .ticker(ticker(clock))
                .expireAfter(new UntilShortlyBeforeExp(clock))
                .buildAsync();
    }

    /**
     * The token for this session and profile, from memory when one is usable, else from Entra. Fails with
     * {@link io.github.aksauthproxy.entra.IdpFailure}.
     */
    public CompletableFuture<AccessToken> token(Session session, Profile profile) {
        Key key = new Key(session.id(), profile.name());
        CompletableFuture<AccessToken> future = cache.get(key, (k, executor) -> mint(session, profile));
        AccessToken ready = future.getNow(null);
        if (ready != null && needsRenewal(ready)) {
            renewInBackground(key, session, profile);
        }
        return future;
    }

    /** Forgets every token of a session (sign-out). */
    public void forget(String sessionId) {
        cache.synchronous().asMap().keySet().removeIf(k -> k.sessionId().equals(sessionId));
    }

    private CompletableFuture<AccessToken> mint(Session session, Profile profile) {
        return entra.refresh(session.refreshToken(), new LinkedHashSet<>(profile.scopes()));
    }

    private boolean needsRenewal(AccessToken t) {
        return !clock.instant().isBefore(t.expiresOn().minus(RENEW_AHEAD));
    }

    private void renewInBackground(Key key, Session session, Profile profile) {
        CompletableFuture<AccessToken> mine = new CompletableFuture<>();
        if (renewing.putIfAbsent(key, mine) != null) {
            return;
        }
        mint(session, profile).whenComplete((token, error) -> {
            if (error == null) {
                cache.put(key, CompletableFuture.completedFuture(token));
            } else {
                LOG.warn("event=token.renewal_failed profile={} reason=\"{}\"", profile.name(), error.getCause() != null
                        ? error.getCause().getMessage() : error.getMessage());
            }
            renewing.remove(key, mine);
            mine.complete(token);
        });
    }

    private static Ticker ticker(Clock clock) {
        return () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
    }

    /** Entries live until {@link #EXPIRY_MARGIN} before the token's own expiry. */
    private record UntilShortlyBeforeExp(Clock clock) implements Expiry<Key, AccessToken> {
        @Override
        public long expireAfterCreate(Key key, AccessToken token, long currentTime) {
            Duration left = Duration.between(Instant.now(clock), token.expiresOn().minus(EXPIRY_MARGIN));
            return Math.max(0, left.toNanos());
        }

        @Override
        public long expireAfterUpdate(Key key, AccessToken token, long currentTime, long currentDuration) {
            return expireAfterCreate(key, token, currentTime);
        }

        @Override
        public long expireAfterRead(Key key, AccessToken token, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
