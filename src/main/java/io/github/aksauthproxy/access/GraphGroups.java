package io.github.aksauthproxy.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.aksauthproxy.async.Causes;
import io.github.aksauthproxy.graph.GraphFailure;
import io.github.aksauthproxy.graph.MicrosoftGraph;
import io.github.aksauthproxy.token.TokenFailure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The groups of a user in group overage, as Microsoft Graph tells them with the user's own Graph token: for allow
 * rules, which of a rule's groups the user is in ({@code checkMemberGroups}: exact, transitive); for the groups
 * header, every group ({@code transitiveMemberOf}). Answers are kept per session for the configured time, never
 * beyond the session's end (so a group the user lost counts within that time); concurrent
 * requests of a session share one call. When Graph fails, nobody asks it again for that session until its
 * {@code Retry-After} (throttling), 60 s (a refusal: a missing permission does not fix itself) or 5 s (anything else)
 * have passed; the failure is {@link GroupsUnavailable}, never "no groups".
 */
public final class GraphGroups {
    static final Duration RETRY_UNAVAILABLE = Duration.ofSeconds(5);
    static final Duration RETRY_REFUSED = Duration.ofSeconds(60);
    /** A longer Retry-After is taken as this: an absurd value must not lock a user out for hours. */
    static final Duration LONGEST_RETRY_AFTER = Duration.ofMinutes(10);
    private static final Object ALL = "all groups";

    private final Optional<MicrosoftGraph> graph;
    private final String scope;
    private final Clock clock;
    private final Duration ttl;
    private final Cache<String, PerSession> sessions;

    /**
     * One session's way to Graph.
     *
     * @param graphToken the session's Graph token (minted like a profile's); fails with {@link TokenFailure}
     */
    public record Asker(String sessionId, Instant sessionEnd, Supplier<CompletableFuture<String>> graphToken) {
    }

    /** What is kept of one session: answers with their end, calls in flight, Graph's last failure. */
    private static final class PerSession {
        final Instant sessionEnd;
        final Map<Object, Kept> answers = new ConcurrentHashMap<>();
        final Map<Object, CompletableFuture<Object>> inFlight = new ConcurrentHashMap<>();
        volatile Failed failed;

        PerSession(Instant sessionEnd) {
            this.sessionEnd = sessionEnd;
        }
    }

    private record Kept(Object answer, Instant until) {
    }

    private record Failed(String reason, Instant retryAt, AtomicBoolean told) {
    }

    /**
     * @param graph Graph of the cloud; empty when the authority host belongs to no known cloud
     * @param scope the Graph token's scope, named when its permission is missing
     */
    /** @param maxBytes the most bytes the kept answers may hold, as {@link GroupIdBytes} estimates them */
    public GraphGroups(Optional<MicrosoftGraph> graph, String scope, Clock clock, Duration ttl, long maxBytes) {
        this.graph = graph;
        this.scope = scope;
        this.clock = clock;
        this.ttl = ttl;
        this.sessions = Caffeine.newBuilder().maximumWeight(maxBytes).weigher(GraphGroups::weight).ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .expireAfter(new UntilSessionEnd<PerSession>(clock, p -> p.sessionEnd)).build();
    }

    /** Which of {@code groupIds} the session's user is in; fails with {@link GroupsUnavailable} or the token's own failure. */
    @SuppressWarnings("unchecked")
    public CompletableFuture<Set<String>> memberOf(Asker who, Set<String> groupIds) {
        Set<String> key = new TreeSet<>(groupIds);
        return ask(who, key, (g, token) -> g.memberOf(token, key).thenApply(Set::copyOf)).thenApply(a -> (Set<String>) a);
    }

    /** Every group the session's user is in; fails with {@link GroupsUnavailable} or the token's own failure. */
    @SuppressWarnings("unchecked")
    public CompletableFuture<List<String>> all(Asker who) {
        return ask(who, ALL, (g, token) -> g.groupIds(token).thenApply(List::copyOf)).thenApply(a -> (List<String>) a);
    }

    private static int weight(String sessionId, PerSession s) {
        int bytes = GroupIdBytes.ENTRY + sessionId.length();
        for (Map.Entry<Object, Kept> e : s.answers.entrySet()) {
            bytes += GroupIdBytes.ENTRY + (e.getKey() instanceof Set<?> asked ? GroupIdBytes.of(asked) : 0)
                    + (e.getValue().answer() instanceof java.util.Collection<?> ids ? GroupIdBytes.of(ids) : 0);
        }
        return bytes;
    }

    private static boolean usable(Kept k, Instant now) {
        return k != null && now.isBefore(k.until());
    }

    private interface Call {
        CompletableFuture<?> on(MicrosoftGraph graph, String token);
    }

    private CompletableFuture<Object> ask(Asker who, Object key, Call call) {
        if (graph.isEmpty()) {
            return CompletableFuture.failedFuture(new GroupsUnavailable("Microsoft Graph's address is not known: the authority host "
                    + "belongs to no known Microsoft cloud; set AZURE_CLOUD (or AZURE_AUTHORITY_HOST to the cloud's login host)",
                    RETRY_REFUSED, true));
        }
        PerSession s = sessions.get(who.sessionId(), id -> new PerSession(who.sessionEnd()));
        Instant now = clock.instant();
        Kept kept = s.answers.get(key);
        if (usable(kept, now)) {
            return CompletableFuture.completedFuture(kept.answer());
        }
        Failed failed = s.failed;
        if (failed != null && now.isBefore(failed.retryAt())) {
            return CompletableFuture.failedFuture(new GroupsUnavailable(failed.reason(), Duration.between(now, failed.retryAt()),
                    failed.told().compareAndSet(false, true)));
        }
        CompletableFuture<Object> mine = new CompletableFuture<>();
        CompletableFuture<Object> running = s.inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        CompletableFuture<?> answered;
        try {
            answered = who.graphToken().get().thenCompose(token -> call.on(graph.get(), token));
        } catch (RuntimeException e) {
            answered = CompletableFuture.failedFuture(e);
        }
        answered.whenComplete((answer, error) -> {
            Instant at = clock.instant();
            if (error == null) {
                Instant until = at.plus(ttl);
                s.answers.put(key, new Kept(answer, until.isBefore(s.sessionEnd) ? until : s.sessionEnd));
                // Weighed again with its new answer (a user in overage may be in thousands of groups).
                sessions.asMap().replace(who.sessionId(), s, s);
                s.failed = null;
                s.inFlight.remove(key, mine);
                mine.complete(answer);
                return;
            }
            RuntimeException failure = failure(s, Causes.of(error), at);
            s.inFlight.remove(key, mine);
            mine.completeExceptionally(failure);
        });
        return mine;
    }

    /** The session's end of a token failure passes as it is; everything else is Graph's, remembered for Graph's failures. */
    private RuntimeException failure(PerSession s, Throwable error, Instant at) {
        if (error instanceof TokenFailure f) {
            return switch (f.outcome()) {
                case SIGN_IN_AGAIN -> f;
                case CONSENT_REQUIRED -> new GroupsUnavailable("Entra has no consent for " + scope + " (" + f.entra().code()
                        + "): grant admin consent for the delegated permission " + permission() + " of Microsoft Graph to the app "
                        + "registration", atLeastOneSecond(f.retryAfter()), f.first());
                case REFUSED_AFTER_SIGN_IN, UNAVAILABLE -> new GroupsUnavailable("no Microsoft Graph token (" + scope + "): "
                        + f.getMessage(), atLeastOneSecond(f.retryAfter()), f.first());
            };
        }
        if (!(error instanceof GraphFailure g)) {
            return remember(s, "asking Microsoft Graph failed unexpectedly (" + error.getClass().getName() + ")", RETRY_UNAVAILABLE, at);
        }
        return switch (g.kind()) {
            case THROTTLED -> remember(s, g.getMessage(), g.retryAfter().map(GraphGroups::believable).orElse(RETRY_UNAVAILABLE), at);
            case REFUSED -> remember(s, g.getMessage() + (g.status() == 403
                    ? ": the app registration needs the delegated permission " + permission() + " of Microsoft Graph, with admin "
                            + "consent (" + scope + ")"
                    : ": Microsoft Graph does not accept the user's token for " + scope), RETRY_REFUSED, at);
            case UNREACHABLE, UNEXPECTED_ANSWER -> remember(s, g.getMessage(), g.retryAfter().map(GraphGroups::believable)
                    .orElse(RETRY_UNAVAILABLE), at);
        };
    }

    private static GroupsUnavailable remember(PerSession s, String reason, Duration wait, Instant at) {
        s.failed = new Failed(reason, at.plus(wait), new AtomicBoolean(true));
        return new GroupsUnavailable(reason, wait, true);
    }

    /** {@code User.Read} of {@code https://graph.microsoft.com/User.Read}. */
    private String permission() {
        return scope.substring(scope.lastIndexOf('/') + 1);
    }

    private static Duration believable(Duration retryAfter) {
        return retryAfter.compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : atLeastOneSecond(retryAfter);
    }

    private static Duration atLeastOneSecond(Duration d) {
        return d.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : d;
    }
}
