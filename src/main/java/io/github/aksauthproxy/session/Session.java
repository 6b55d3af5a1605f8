package io.github.aksauthproxy.session;

import io.github.aksauthproxy.config.Secret;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A signed-in user's session: who they are, and the refresh token that lets the service mint their access
 * tokens silently. Only the fields below are kept; everything else MSAL4J returned at sign-in is dropped.
 *
 * @param id random session id; keys the token cache and is never shown (logs carry a hash of it)
 * @param user preferred_username, else the object id
 * @param groups group object ids from the ID token
 * @param lastSeen last time a request used the session, for the idle timeout
 * @param stepUp the profile whose refused token request this session's sign-in answered (its scopes and Entra's
 *     claims challenge went to Entra), so that a refusal soon after it is not answered with yet another sign-in
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
        Instant lastSeen,
        Optional<String> stepUp) {

    public Session {
        groups = List.copyOf(groups);
    }

    /** A session from an ordinary sign-in. */
    public Session(String id, String oid, String tid, String user, String name, String email, List<String> groups, Secret refreshToken,
                   Instant createdAt, Instant expiresAt, Instant lastSeen) {
        this(id, oid, tid, user, name, email, groups, refreshToken, createdAt, expiresAt, lastSeen, Optional.empty());
    }

    public Session seenAt(Instant when) {
        return new Session(id, oid, tid, user, name, email, groups, refreshToken, createdAt, expiresAt, when, stepUp);
    }
}
