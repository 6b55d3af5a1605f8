package io.github.aksauthproxy.redis;

import io.github.aksauthproxy.entra.StepUp;
import io.github.aksauthproxy.session.CookieNames;
import io.github.aksauthproxy.session.Session;
import io.github.aksauthproxy.session.SessionRejected;
import io.github.aksauthproxy.session.SessionStore;
import io.github.aksauthproxy.session.SessionStoreUnavailable;
import io.vertx.core.http.Cookie;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The {@code redis} session store: the session cookie holds only a ticket ({@link TicketCodec}), the session lives in
 * Redis ({@link RedisSessions}). The cookie is renewed only after a cookie key rotation, sealed again with the new
 * first key (the idle timeout is kept in Redis). A cookie the cookie store wrote (or chunks of one) is no ticket, so
 * switching stores answers 401 and users sign in again.
 *
 * <p>A Redis failure fails the stage with {@link SessionStoreUnavailable}; it is never a rejection.
 */
public final class RedisSessionStore implements SessionStore {
    /** As long as the replica that saw Entra's refusal remembers it ({@code TokenService}). */
    static final Duration STEP_UP_KEPT = Duration.ofHours(1);
    private final RedisSessions sessions;
    private final CookieNames names;
    private final Clock clock;

    public RedisSessionStore(RedisSessions sessions, CookieNames names, Clock clock) {
        this.sessions = sessions;
        this.names = names;
        this.clock = clock;
    }

    @Override
    public CompletionStage<Loaded> load(Map<String, String> requestCookies) {
        String ticket = requestCookies.get(names.session());
        if (ticket == null) {
            return CompletableFuture.completedFuture(Loaded.rejected(
                    requestCookies.containsKey(names.sessionChunk(0)) ? SessionRejected.MALFORMED : SessionRejected.MISSING));
        }
        return unavailableAs(sessions.load(ticket), lookup -> {
            if (lookup.ok()) {
                // After a key rotation the ticket moves to the new key on the user's next request, as cookie sessions do
                // at their next renewal: otherwise dropping the old key would sign out every user at once.
                List<Cookie> renewal = sessions.resealed(ticket).map(v -> List.of(names.set(names.session(), v, maxAge(lookup.session()))))
                        .orElse(List.of());
                return new Loaded(lookup.session(), null, renewal);
            }
            return lookup.expired() != null ? Loaded.expired(lookup.rejected(), lookup.expired()) : Loaded.rejected(lookup.rejected());
        });
    }

    @Override
    public CompletionStage<Saved> save(Session session, Map<String, String> requestCookies) {
        return unavailableAs(sessions.create(session), created -> {
            List<Cookie> out = new ArrayList<>();
            out.add(names.set(names.session(), created.cookieValue(), maxAge(created.session())));
            clear(requestCookies).stream().filter(c -> !c.getName().equals(names.session())).forEach(out::add);
            return new Saved(created.session(), out);
        });
    }

    /** The cookie lives as long as the session. */
    private long maxAge(Session session) {
        return Math.max(0, Duration.between(clock.instant(), session.expiresAt()).getSeconds());
    }

    @Override
    public List<Cookie> clear(Map<String, String> requestCookies) {
        return names.expireSession(requestCookies);
    }

    @Override
    public CompletionStage<Void> end(Session session) {
        if (!(session.storeRef().orElse(null) instanceof SessionRef ref)) {
            return CompletableFuture.completedFuture(null);
        }
        return unavailableAs(sessions.revoke(ref), existed -> null);
    }

    @Override
    public Optional<String> presentedId(Map<String, String> requestCookies) {
        return Optional.ofNullable(requestCookies.get(names.session())).flatMap(sessions::nameOf);
    }

    @Override
    public CompletionStage<Void> rememberStepUp(Session session, StepUp stepUp) {
        if (!(session.storeRef().orElse(null) instanceof SessionRef ref)) {
            return CompletableFuture.completedFuture(null);
        }
        return unavailableAs(sessions.rememberStepUp(ref, stepUp, STEP_UP_KEPT), done -> null);
    }

    @Override
    public CompletionStage<Optional<StepUp>> pendingStepUp(Map<String, String> requestCookies) {
        String ticket = requestCookies.get(names.session());
        return ticket == null ? CompletableFuture.completedFuture(Optional.empty()) : unavailableAs(sessions.pendingStepUp(ticket), s -> s);
    }

    /** The stage's value mapped, or a {@link SessionStoreUnavailable} for Redis's failure (logged and counted where it happened). */
    private static <T, R> CompletionStage<R> unavailableAs(CompletionStage<T> stage, Function<T, R> map) {
        return stage.handle((value, failure) -> {
            if (failure == null) {
                return map.apply(value);
            }
            RedisUnavailable r = RedisUnavailable.from(failure);
            throw new SessionStoreUnavailable(r.reason().label(), r.getMessage());
        });
    }
}
