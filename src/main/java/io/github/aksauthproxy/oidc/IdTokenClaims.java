package io.github.aksauthproxy.oidc;

import java.util.List;

/**
 * The identity an ID token established.
 *
 * @param preferredUsername preferred_username, else the object id
 * @param upn the {@code upn} claim (an optional claim in ID tokens), empty when absent
 * @param emailVerified Entra marks the domain of {@code email} verified ({@code xms_edov})
 * @param groupsOverage the user is in more groups than the token lists (see {@link GroupClaims}); {@code groups} is then empty
 */
public record IdTokenClaims(String oid, String tid, String preferredUsername, String name, String email, List<String> groups,
                            String upn, boolean emailVerified, boolean groupsOverage) {
    public IdTokenClaims {
        groups = List.copyOf(groups);
    }
}
