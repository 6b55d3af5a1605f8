package io.github.aksauthproxy.redis;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * What {@code aks-auth-proxy sessions list|revoke} needs: the live sessions from the per-user indexes, and revocation
 * by user or by {@code sid_hash}. For operators' commands (it scans every index when asked by user name), never for
 * requests.
 */
public final class SessionAdmin {
    private static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private final Redis redis;
    private final RedisSessions sessions;
    private final Clock clock;

    public SessionAdmin(Redis redis, RedisSessions sessions, Clock clock) {
        this.redis = redis;
        this.sessions = sessions;
        this.clock = clock;
    }

    /**
     * One live session as an operator sees it: who, since when, last seen, until when, and the profiles it holds a
     * token for (those it used lately); never a token.
     */
    public record Summary(String sidHash, String user, String oid, String tenant, Instant createdAt, Instant lastSeen, Instant expiresAt,
                          List<String> profiles) {
        public Summary {
            profiles = List.copyOf(profiles);
        }
    }

    /**
     * Live sessions, oldest first: all, or one user's, named by object id (looked up directly) or by user name
     * (UPN, compared without case, found by reading every index).
     */
    public CompletionStage<List<Summary>> list(Optional<String> user) {
        return entries(user).thenCompose(es -> {
            List<CompletableFuture<Summary>> each = es.stream().map(e -> summary(e).toCompletableFuture()).toList();
            return CompletableFuture.allOf(each.toArray(new CompletableFuture[0])).thenApply(done -> each.stream().map(CompletableFuture::join).toList());
        });
    }

    /** Ends every live session of a user (object id or user name); the sessions it ended. */
    public CompletionStage<List<Summary>> revokeUser(String user) {
        return entries(Optional.of(user)).thenCompose(this::revokeAll);
    }

    /** Ends the session with this {@code sid_hash} (as in the logs and {@link #list}); the session, when one matched. */
    public CompletionStage<List<Summary>> revokeSession(String sidHash) {
        return entries(Optional.empty()).thenCompose(es -> revokeAll(es.stream().filter(e -> e.sidHash().equalsIgnoreCase(sidHash)).toList()));
    }

    private CompletionStage<List<Summary>> revokeAll(List<SessionIndex.Entry> entries) {
        CompletableFuture<?>[] each = entries.stream()
                .map(e -> sessions.revoke(e.userTag(), e.name()).toCompletableFuture()).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(each).thenApply(done -> entries.stream().map(e -> summary(e, List.of())).toList());
    }

    /** The entry with the profiles whose token Redis holds for the session. */
    private CompletionStage<Summary> summary(SessionIndex.Entry e) {
        List<CompletableFuture<Optional<String>>> held = sessions.profiles().stream().map(p -> redis.exists(SessionRef.tokenKey(e.userTag(),
                e.name(), p)).thenApply(yes -> yes ? Optional.of(p) : Optional.<String>empty()).toCompletableFuture()).toList();
        return CompletableFuture.allOf(held.toArray(new CompletableFuture[0]))
                .thenApply(done -> summary(e, held.stream().flatMap(h -> h.join().stream()).toList()));
    }

    private static Summary summary(SessionIndex.Entry e, List<String> profiles) {
        return new Summary(e.sidHash(), e.user(), e.oid(), e.tenant(), e.createdAt(), e.lastSeen(), e.expiresAt(), profiles);
    }

    private CompletionStage<List<SessionIndex.Entry>> entries(Optional<String> user) {
        boolean byOid = user.filter(u -> GUID.matcher(u).matches()).isPresent();
        CompletionStage<List<String>> indexKeys = byOid
                ? CompletableFuture.completedFuture(sessions.keys().userTags(user.get().toLowerCase(java.util.Locale.ROOT)).stream()
                        .map(SessionRef::indexKey).toList())
                : redis.scan("aap:{*}:i");
        Instant now = clock.instant();
        return indexKeys.thenCompose(keys -> {
            List<CompletableFuture<List<SessionIndex.Entry>>> reads = new ArrayList<>();
            for (String key : keys) {
                String tag = key.substring("aap:{".length(), key.indexOf('}'));
                reads.add(redis.hashGetAll(key).thenApply(fields -> open(tag, fields)).toCompletableFuture());
            }
            return CompletableFuture.allOf(reads.toArray(new CompletableFuture[0])).thenApply(done -> reads.stream()
                    .flatMap(r -> r.join().stream())
                    .filter(e -> e.expiresAt().isAfter(now) && e.lastSeen().plus(sessions.idleTimeout()).isAfter(now))
                    .filter(e -> user.isEmpty() || (byOid ? e.oid().equalsIgnoreCase(user.get()) : e.user().equalsIgnoreCase(user.get())))
                    .sorted(Comparator.comparing(SessionIndex.Entry::createdAt)).toList());
        });
    }

    private List<SessionIndex.Entry> open(String tag, Map<String, byte[]> fields) {
        List<SessionIndex.Entry> out = new ArrayList<>();
        fields.forEach((name, value) -> sessions.index().open(tag, name, value).ifPresent(out::add));
        return out;
    }
}
