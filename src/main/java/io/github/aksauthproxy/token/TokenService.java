package io.github.aksauthproxy.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.aksauthproxy.async.Causes;
import io.github.aksauthproxy.config.Profile;
import io.github.aksauthproxy.entra.AccessToken;
import io.github.aksauthproxy.entra.EntraUserFlows;
import io.github.aksauthproxy.entra.IdpFailure;
import io.github.aksauthproxy.entra.StepUp;
import io.github.aksauthproxy.session.Session;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Access tokens per session and profile. A token is served from memory until shortly before its own
 * {@code exp} (never the session's age decides); concurrent misses for one key share one request to Entra; and
 * a token used within its last minutes is renewed in the background so active users do not wait on Entra.
 *
 * <p>Entra's refusals are remembered too, so that asking again is Entra's cost only when it may help: a failure
 * per session and profile with backoff ({@link FailureMemory}), and sessions Entra ended (the refresh token is
 * refused, or Conditional Access wants the user) until they are replaced. An ended session remembers what its
 * next sign-in must carry ({@link #pendingStepUp}); a session born of such a sign-in that is refused again within
 * {@link #STEP_UP_WINDOW} gets {@link TokenFailure.Outcome#REFUSED_AFTER_SIGN_IN}, never another sign-in.
 */
public final class TokenService {
    private static final Logger LOG = LoggerFactory.getLogger(TokenService.class);
    /** A token is not handed out with less than this left: the upstream needs time to use it. */
    public static final Duration EXPIRY_MARGIN = Duration.ofMinutes(1);
    /** Within this of its expiry a token in use is renewed in the background. */
    static final Duration RENEW_AHEAD = Duration.ofMinutes(5);
    /**
     * A renewal takes a token another replica stored only when it lasts this long: the one in hand, or one just as
     * old, would only be renewed again by the next request.
     */
    static final Duration RENEWED_AT_LEAST = RENEW_AHEAD.plus(Duration.ofMinutes(1));
    /**
     * A refusal this soon after a sign-in that already presented the profile's scopes and claims will not be cured
     * by one more; later (Conditional Access sign-in frequency, a revoked session) a new sign-in may well help.
     */
    public static final Duration STEP_UP_WINDOW = Duration.ofMinutes(10);
    /** How long a session Entra ended is remembered: its cookie may still be sent until the browser signs in again. */
    private static final Duration ENDED_MEMORY = Duration.ofHours(1);

    private final EntraUserFlows entra;
    private final Clock clock;
    private final List<String> profiles;
    private final TokenCache cache;
    /** Requests to Entra in flight, one per key: the single flight. */
    private final Map<Key, CompletableFuture<AccessToken>> inFlight = new ConcurrentHashMap<>();
    private final FailureMemory<Key> failures;
    /** Sessions Entra ended, by session id. */
    private final Cache<String, Ended> ended;

    private final Observer observer;
    private final SharedTokens shared;
    private final Consumer<Session> endSession;

    /** Cache key: one token per session and profile. */
    record Key(String sessionId, String profile) {
    }

    /** A session Entra ended: what its next sign-in must carry, and Entra's answer. */
    private static final class Ended {
        final StepUp stepUp;
        final IdpFailure failure;
        final AtomicBoolean told = new AtomicBoolean();

        Ended(StepUp stepUp, IdpFailure failure) {
            this.stepUp = stepUp;
            this.failure = failure;
        }
    }

    /** Told about every cache lookup and every request to Entra (metrics, audit); must not block. */
    public interface Observer {
        Observer NONE = new Observer() {
        };

        default void cacheLookup(Profile profile, boolean hit) {
        }

        /** @param token the token just minted, with the ID token Entra returned beside it (if any) */
        default void minted(Session session, Profile profile, AccessToken token, long nanos) {
        }

        default void failed(Session session, Profile profile, Throwable failure, long nanos) {
        }

        /**
         * A token another replica minted, taken from the shared cache, with the ID token Entra returned beside it (if
         * any): the session's groups now, as for {@link #minted}.
         */
        default void sharedFromAnotherReplica(Session session, Profile profile, AccessToken token) {
        }

        /** Entra ended the session wanting the user: what its browser's next sign-in must carry. Told before the session is ended. */
        default void stepUpPending(Session session, StepUp stepUp) {
        }
    }

    /**
     * @param profiles the configured profile names: a session's tokens are found by these keys, never by a scan
     * @param random jitter for the waits after a failure
     * @param cacheMaxBytes the most bytes the cached tokens may hold (least recently used go first)
     * @param refusalsMaxBytes the most bytes each memory of Entra's refusals may hold (failures with backoff, ended
     *     sessions); a refusal forgotten early costs one more request to Entra
     * @param shared the replicas' shared token cache behind this one ({@link SharedTokens#NONE} for none)
     * @param endSession ends a session Entra refused to mint for, in the session store (every replica's 401)
     */
    public TokenService(EntraUserFlows entra, Clock clock, Random random, long cacheMaxBytes, long refusalsMaxBytes, Collection<String> profiles,
                        Observer observer, SharedTokens shared, Consumer<Session> endSession) {
        this.entra = entra;
        this.clock = clock;
        this.profiles = List.copyOf(profiles);
        this.observer = observer;
        this.shared = shared;
        this.endSession = endSession;
        Ticker ticker = ticker(clock);
        this.cache = new TokenCache(clock, EXPIRY_MARGIN, cacheMaxBytes);
        this.failures = new FailureMemory<>(clock, random, refusalsMaxBytes);
        this.ended = Caffeine.newBuilder().maximumWeight(refusalsMaxBytes)
                .weigher((String id, Ended e) -> FailureMemory.weight(e.failure) + id.length() + e.stepUp.claims().map(String::length).orElse(0))
                .expireAfterWrite(ENDED_MEMORY).ticker(ticker).build();
    }

    /**
     * The token for this session and profile: completed at once when one is cached (or Entra's refusal is
     * remembered), else when Entra answers. Fails with {@link TokenFailure}.
     */
    public CompletableFuture<AccessToken> token(Session session, Profile profile) {
        Optional<TokenFailure> ended = endedFailure(session);
        if (ended.isPresent()) {
            return CompletableFuture.failedFuture(ended.get());
        }
        Key key = new Key(session.id(), profile.name());
        AccessToken cached = cache.get(key);
        observer.cacheLookup(profile, cached != null);
        if (cached == null) {
            Optional<TokenFailure> refused = rememberedFailure(key);
            if (refused.isPresent()) {
                return CompletableFuture.failedFuture(refused.get());
            }
            return mint(key, session, profile, false).exceptionallyCompose(e -> CompletableFuture.failedFuture(endedFailure(session)
                    .or(() -> rememberedFailure(key))
                    .orElseGet(() -> new TokenFailure(TokenFailure.Outcome.UNAVAILABLE, idpFailure(e), FailureMemory.FIRST_WAIT, true))));
        }
        // A renewal that failed is not retried before its wait is over; the cached token is served meanwhile.
        if (!clock.instant().isBefore(cached.expiresOn().minus(RENEW_AHEAD)) && failures.current(key).isEmpty()) {
            mint(key, session, profile, true).whenComplete((t, e) -> {
                if (e != null) {
                    LOG.atWarn().addKeyValue("event", "token.renewal_failed").addKeyValue("profile", profile.name())
                            .addKeyValue("reason", idpFailure(e).describe()).log();
                }
            });
        }
        return CompletableFuture.completedFuture(cached);
    }

    /** Token requests to Entra started and not yet answered (one per session and profile at most). */
    public int requestsInFlight() {
        return inFlight.size();
    }

    /** Bytes the cached tokens retain, as weighed (see {@link TokenCache}). */
    public long cachedBytes() {
        return cache.bytes();
    }

    public int cachedTokens() {
        return cache.entries();
    }

    /** Tokens dropped from the cache to keep within its bound since start. */
    public long evictions() {
        return cache.evictions();
    }

    /** What the next sign-in of this session's browser must carry, when Entra ended the session wanting the user. */
    public Optional<StepUp> pendingStepUp(String sessionId) {
        return Optional.ofNullable(ended.getIfPresent(sessionId)).map(e -> e.stepUp);
    }

    /** Forgets every token of a session (sign-out): one lookup per configured profile, however large the cache. */
    public void forget(String sessionId) {
        for (String profile : profiles) {
            Key key = new Key(sessionId, profile);
            cache.invalidate(key);
            failures.forget(key);
        }
    }

    /** The answer for every request of a session Entra ended. */
    private Optional<TokenFailure> endedFailure(Session session) {
        Ended end = ended.getIfPresent(session.id());
        if (end == null) {
            return Optional.empty();
        }
        return Optional.of(new TokenFailure(steppedUp(session, end.stepUp.profile())
                ? TokenFailure.Outcome.REFUSED_AFTER_SIGN_IN : TokenFailure.Outcome.SIGN_IN_AGAIN,
                end.failure, Duration.ZERO, end.told.compareAndSet(false, true)));
    }

    /** This session was born of a sign-in that stepped up for this profile, a short while ago: another cannot help. */
    private boolean steppedUp(Session session, String profile) {
        return session.stepUp().filter(profile::equals).isPresent() && clock.instant().isBefore(session.createdAt().plus(STEP_UP_WINDOW));
    }

    /** Entra's remembered failure for this session and profile, while its wait lasts. */
    private Optional<TokenFailure> rememberedFailure(Key key) {
        return failures.current(key).map(r -> new TokenFailure(
                r.failure.kind() == IdpFailure.Kind.CONSENT_REQUIRED ? TokenFailure.Outcome.CONSENT_REQUIRED : TokenFailure.Outcome.UNAVAILABLE,
                r.failure, Duration.between(clock.instant(), r.retryAt), r.firstTold()));
    }

    /** @param renewal a token is cached and is to be replaced; otherwise the caller found none */
    private CompletableFuture<AccessToken> mint(Key key, Session session, Profile profile, boolean renewal) {
        CompletableFuture<AccessToken> mine = new CompletableFuture<>();
        CompletableFuture<AccessToken> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        // A request that missed the cache just before another request's mint stored its token and left the
        // single flight would otherwise start a second token request for the same key.
        AccessToken stored = renewal ? null : cache.get(key);
        if (stored != null) {
            inFlight.remove(key, mine);
            mine.complete(stored);
            return mine;
        }
        // Another replica may have stored one (a renewal wants one that lasts longer than the token in hand).
        java.util.concurrent.atomic.AtomicBoolean mintedHere = new java.util.concurrent.atomic.AtomicBoolean();
        shared.getOrMint(session, profile.name(), renewal ? RENEWED_AT_LEAST : EXPIRY_MARGIN, () -> {
                    mintedHere.set(true);
                    return fromEntra(session, profile);
                })
                .whenComplete((withIdToken, error) -> {
                    if (error == null) {
                        if (!mintedHere.get()) {
                            observer.sharedFromAnotherReplica(session, profile, withIdToken);
                        }
                        AccessToken token = withIdToken.withoutIdToken();
                        cache.put(key, token);
                        failures.forget(key);
                        inFlight.remove(key, mine);
                        mine.complete(token);
                        return;
                    }
                    IdpFailure failure = idpFailure(error);
                    remember(key, session, profile, failure);
                    inFlight.remove(key, mine);
                    mine.completeExceptionally(failure);
                });
        return mine;
    }

    /** One request to Entra, told to the observer. */
    private CompletionStage<AccessToken> fromEntra(Session session, Profile profile) {
        long started = System.nanoTime();
        return entra.refresh(session.refreshToken(), new LinkedHashSet<>(profile.scopes())).whenComplete((token, error) -> {
            if (error == null) {
                // The ID token that came with the token (the session's groups now) goes to the observer and the shared
                // cache, never into this replica's cache (see mint).
                observer.minted(session, profile, token, System.nanoTime() - started);
            } else {
                observer.failed(session, profile, idpFailure(error), System.nanoTime() - started);
            }
        });
    }

    /** Before the waiting requests are told, so that they and every later one read the same memory. */
    private void remember(Key key, Session session, Profile profile, IdpFailure failure) {
        if (failure.kind() == IdpFailure.Kind.GRANT_REJECTED) {
            StepUp stepUp = new StepUp(profile.name(), profile.scopes(), failure.claims());
            ended.put(session.id(), new Ended(stepUp, failure));
            forget(session.id());
            observer.stepUpPending(session, stepUp);
            // A session refused right after its step-up sign-in is answered 403, not sent to sign in again: the store
            // keeps it, or its next request would find no session (401) and start the loop this prevents.
            if (!steppedUp(session, profile.name())) {
                endSession.accept(session);
            }
        } else {
            failures.record(key, failure);
        }
    }

    private static IdpFailure idpFailure(Throwable e) {
        Throwable cause = Causes.of(e);
        if (cause instanceof IdpFailure f) {
            return f;
        }
        if (cause instanceof TokenFailure f) {
            return f.entra();
        }
        return new IdpFailure(IdpFailure.Kind.UNAVAILABLE, "client_error", Optional.empty(),
                "the token request failed unexpectedly (" + cause.getClass().getName() + ")");
    }

    private static Ticker ticker(Clock clock) {
        return () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
    }
}
