package io.github.aksauthproxy.session;

import io.github.aksauthproxy.config.Secret;
import java.time.Instant;
import java.util.List;

/**
 * A signed-in user's session: who they are, and the refresh token that lets the service mint their access
 * tokens silently. Only the fields below are kept; everything else MSAL4J returned at sign-in is dropped.
 *
 * @param id random session id; keys the token cache and is never shown (logs carry a hash of it)
 * @param user preferred_username, else the object id
 * @param groups group object ids from the ID token
 * @param lastSeen last time a request used the session, for the idle timeout
 */
public record Session(
        String id,
        String oid,
        String tid,
        String user,
        String name,
        String email,
        List<String> groups,
        Secret refreshToken,
        Instant createdAt,
        Instant expiresAt,
        Instant lastSeen) {

    public Session {
        groups = List.copyOf(groups);
    }

    public Session seenAt(Instant when) {
        return new Session(id, oid, tid, user, name, email, groups, refreshToken, createdAt, expiresAt, when);
    }
}
