package io.github.aksauthproxy.access;

import java.util.List;

/**
 * Whom an access decision is about: a signed-in session or a bearer token's owner, as the token stated it. Which of
 * the addresses an address or domain rule may match is for {@link IdentityRules} to say.
 *
 * @param cacheKey keys cached decisions: the session id, or a hash of the bearer token; never logged
 * @param upn the user principal name: the {@code upn} claim, else {@code preferred_username}; empty when neither
 * @param email the {@code email} claim, empty when absent
 * @param emailVerified Entra marks the domain of {@code email} verified ({@code xms_edov})
 * @param groups the groups the token listed
 * @param groupsOverage the token said the user is in more groups than it lists: {@code groups} is not all of them
 */
public record Subject(String cacheKey, String oid, String tid, String upn, String email, boolean emailVerified, List<String> groups,
                      boolean groupsOverage) {
    public Subject {
        upn = upn == null ? "" : upn;
        email = email == null ? "" : email;
        groups = List.copyOf(groups);
    }

    /** A subject whose token listed all of its groups. */
    public Subject(String cacheKey, String oid, String tid, String upn, String email, boolean emailVerified, List<String> groups) {
        this(cacheKey, oid, tid, upn, email, emailVerified, groups, false);
    }
}
