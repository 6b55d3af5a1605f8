package io.github.aksauthproxy.oidc;

import java.util.List;

/** The identity an ID token established. */
public record IdTokenClaims(String oid, String tid, String preferredUsername, String name, String email, List<String> groups) {
    public IdTokenClaims {
        groups = List.copyOf(groups);
    }
}
