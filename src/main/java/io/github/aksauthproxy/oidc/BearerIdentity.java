package io.github.aksauthproxy.oidc;

import java.util.List;

/**
 * The owner of a validated bearer token, from its claims.
 *
 * @param user preferred_username, else upn, else unique_name, else the object id
 * @param upn the user principal name as the token states it: {@code upn}, else {@code preferred_username}; empty when neither
 * @param emailVerified Entra marks the domain of {@code email} verified ({@code xms_edov})
 * @param groupsOverage the token says the user is in more groups than it lists (see {@link GroupClaims})
 */
public record BearerIdentity(String oid, String tid, String user, String email, List<String> groups, String upn, boolean emailVerified,
                             boolean groupsOverage) {
    public BearerIdentity {
        groups = List.copyOf(groups);
    }
}
