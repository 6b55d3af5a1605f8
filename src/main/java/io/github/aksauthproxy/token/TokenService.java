package io.github.aksauthproxy.token;

import com.github.benmanes.caffeine.cache.Cache;
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
    private final Cache<Key, AccessToken> cache;
    /** Requests to Entra in flight, one per key: the single flight. */
    private final Map<Key, CompletableFuture<AccessToken>> inFlight = new ConcurrentHashMap<>();

    private final Observer observer;

    /** Cache key: one token per session and profile. */
    record Key(String sessionId, String profile) {
    }

    /** Told about every cache lookup and every request to Entra (metrics, audit); must not block. */
    public interface Observer {
        Observer NONE = new Observer() {
        };

        default void cacheLookup(Profile profile, boolean hit) {
        }

        default void minted(Session session, Profile profile, AccessToken token, long nanos) {
        }

        default void failed(Session session, Profile profile, Throwable failure, long nanos) {
        }
    }

    public TokenService(EntraUserFlows entra, Clock clock, long maximumSize) {
        this(entra, clock, maximumSize, Observer.NONE);
    }

    public TokenService(EntraUserFlows entra, Clock clock, long maximumSize, Observer observer) {
        this.entra = entra;
        this.clock = clock;
        this.observer = observer;
        this.cache = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .ticker(ticker(clock))
                .expireAfter(new UntilShortlyBeforeExp(clock))
                .build();
    }

    /**
     * The token for this session and profile: completed at once when one is cached, else when Entra answers.
     * Fails with {@link io.github.aksauthproxy.entra.IdpFailure}.
     */
    public CompletableFuture<AccessToken> token(Session session, Profile profile) {
        Key key = new Key(session.id(), profile.name());
        AccessToken cached = cache.getIfPresent(key);
        observer.cacheLookup(profile, cached != null);
        if (cached == null) {
            return mint(key, session, profile);
        }
        if (!clock.instant().isBefore(cached.expiresOn().minus(RENEW_AHEAD))) {
            mint(key, session, profile).whenComplete((t, e) -> {
                if (e != null) {
                    LOG.atWarn().addKeyValue("event", "token.renewal_failed").addKeyValue("profile", profile.name())
                            .addKeyValue("reason", e.getMessage()).log();
                }
            });
        }
        return CompletableFuture.completedFuture(cached);
    }

    /** Forgets every token of a session (sign-out). */
    public void forget(String sessionId) {
        cache.asMap().keySet().removeIf(k -> k.sessionId().equals(sessionId));
    }

    private CompletableFuture<AccessToken> mint(Key key, Session session, Profile profile) {
        CompletableFuture<AccessToken> mine = new CompletableFuture<>();
        CompletableFuture<AccessToken> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        long started = System.nanoTime();
        entra.refresh(session.refreshToken(), new LinkedHashSet<>(profile.scopes())).whenComplete((token, error) -> {
            if (error == null) {
                cache.put(key, token);
            }
            inFlight.remove(key, mine);
            Throwable failure = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
            if (error == null) {
                observer.minted(session, profile, token, System.nanoTime() - started);
                mine.complete(token);
            } else {
                observer.failed(session, profile, failure, System.nanoTime() - started);
                mine.completeExceptionally(failure);
            }
        });
        return mine;
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
