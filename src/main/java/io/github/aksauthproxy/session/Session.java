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
 * @param upn the ID token's {@code upn} claim; empty when it had none (and in sessions from before it was kept)
 * @param emailVerified Entra marked the domain of {@code email} verified ({@code xms_edov}); false in sessions from
 *     before it was kept
 * @param stepUp the profile whose refused token request this session's sign-in answered (its scopes and Entra's
 *     claims challenge went to Entra), so that a refusal soon after it is not answered with yet another sign-in
 * @param groupsOverage the ID token said the user is in more groups than it lists (group overage): {@code groups} is then
 *     empty and not the user's groups; false in sessions from before it was kept
 * @param storeRef where a server-side store keeps this session (set by that store when it loads or creates it);
 *     empty in the cookie store. Not part of the session's JSON.
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
        String upn,
        boolean emailVerified,
        Optional<String> stepUp,
        boolean groupsOverage,
        Optional<StoreRef> storeRef) {

    public Session {
        groups = List.copyOf(groups);
        upn = upn == null ? "" : upn;
    }

    /** A session not (yet) kept by a server-side store. */
    public Session(String id, String oid, String tid, String user, String name, String email, List<String> groups, Secret refreshToken,
                   Instant createdAt, Instant expiresAt, Instant lastSeen, String upn, boolean emailVerified, Optional<String> stepUp,
                   boolean groupsOverage) {
        this(id, oid, tid, user, name, email, groups, refreshToken, createdAt, expiresAt, lastSeen, upn, emailVerified, stepUp, groupsOverage,
                Optional.empty());
    }

    /** A session whose ID token listed all of the user's groups, not (yet) kept by a server-side store. */
    public Session(String id, String oid, String tid, String user, String name, String email, List<String> groups, Secret refreshToken,
                   Instant createdAt, Instant expiresAt, Instant lastSeen, String upn, boolean emailVerified, Optional<String> stepUp) {
        this(id, oid, tid, user, name, email, groups, refreshToken, createdAt, expiresAt, lastSeen, upn, emailVerified, stepUp, false);
    }

    /** A session from an ordinary sign-in whose ID token had no {@code upn} claim and no verified e-mail domain. */
    public Session(String id, String oid, String tid, String user, String name, String email, List<String> groups, Secret refreshToken,
                   Instant createdAt, Instant expiresAt, Instant lastSeen) {
        this(id, oid, tid, user, name, email, groups, refreshToken, createdAt, expiresAt, lastSeen, "", false, Optional.empty());
    }

    public Session seenAt(Instant when) {
        return new Session(id, oid, tid, user, name, email, groups, refreshToken, createdAt, expiresAt, when, upn, emailVerified, stepUp,
                groupsOverage, storeRef);
    }

    /** This session as a server-side store keeps it: under its own id, found through {@code ref}. */
    public Session storedAs(String storeId, StoreRef ref) {
        return new Session(storeId, oid, tid, user, name, email, groups, refreshToken, createdAt, expiresAt, lastSeen, upn, emailVerified,
                stepUp, groupsOverage, Optional.of(ref));
    }

    /** The user principal name as the ID token stated it: {@code upn}, else preferred_username, else the object id. */
    public String principalName() {
        return upn.isEmpty() ? user : upn;
    }

    /** About what a decoded session retains on the heap (its objects and strings), for the caches' byte bounds. */
    public static int retainedBytes(Session s) {
        int chars = s.id().length() + s.oid().length() + s.tid().length() + s.user().length() + s.name().length() + s.email().length()
                + s.upn().length() + s.refreshToken().value().length() + s.stepUp().map(String::length).orElse(0);
        return 600 + chars + s.groups().size() * 112;
    }

    /** The {@code sid_hash} logs and operators name a session by: the first 16 hex digits of the SHA-256 of its id. */
    public static String sidHash(String sessionId) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(sessionId.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return java.util.HexFormat.of().formatHex(d, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
