package io.github.aksauthproxy.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.aksauthproxy.config.Secret;
import io.github.aksauthproxy.oidc.GroupClaims;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The groups of each session as the latest token minted for it says, so that a group a user gained or lost counts
 * within one token lifetime instead of at the next sign-in. Entra returns an ID token with every token minted from
 * the refresh token; its {@code groups} (or overage marker) follow the app registration's group claim settings,
 * exactly as the sign-in's ID token did. Kept in memory, per replica, until the session ends; a replica that has
 * minted nothing for a session yet uses the groups of its sign-in.
 */
public final class LatestGroups {
    private final String clientId;
    private final Cache<String, Latest> latest;

    private record Latest(GroupClaims groups, Instant sessionEnd) {
    }

    /** @param maxBytes the most bytes the kept groups may hold, as {@link GroupIdBytes} estimates them (the oldest go first) */
    public LatestGroups(String clientId, Clock clock, long maxBytes) {
        this.clientId = clientId;
        this.latest = Caffeine.newBuilder().maximumWeight(maxBytes)
                .weigher((String id, Latest l) -> GroupIdBytes.ENTRY + id.length() + GroupIdBytes.of(l.groups().ids())).ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .expireAfter(new UntilSessionEnd<Latest>(clock, Latest::sessionEnd)).build();
    }

    /** Told about each token minted for a session, with the ID token Entra returned beside it (ignored unless it is this user's). */
    public void minted(String sessionId, String oid, String tid, Instant sessionEnd, Optional<Secret> idToken) {
        GroupClaims.ofRefreshedIdToken(idToken, clientId, oid, tid).ifPresent(g -> latest.put(sessionId, new Latest(g, sessionEnd)));
    }

    /** The session's groups now: the latest minted token's, else the sign-in's. */
    public GroupClaims of(String sessionId, List<String> signInGroups, boolean signInOverage) {
        Latest l = latest.getIfPresent(sessionId);
        return l != null ? l.groups() : new GroupClaims(signInGroups, signInOverage);
    }
}
