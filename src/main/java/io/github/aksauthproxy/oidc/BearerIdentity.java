package io.github.aksauthproxy.oidc;

import java.util.List;

/**
 * The owner of a validated bearer token, from its claims.
 *
 * @param user preferred_username, else upn, else unique_name, else the object id
 */
public record BearerIdentity(String oid, String tid, String user, String email, List<String> groups) {
    public BearerIdentity {
        groups = List.copyOf(groups);
    }
}
