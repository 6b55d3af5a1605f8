package io.github.aksauthproxy.config;

import java.util.List;
import java.util.Optional;

/**
 * A named set of scopes a request may ask a token for ({@code /oauth2/auth?profile=name}), and who may use it.
 *
 * @param accessTokenHeader also send the token as {@code X-Auth-Request-Access-Token}
 * @param browserRedirect answer an unauthenticated browser on {@code /oauth2/auth} with a 302 to sign-in instead of
 *     401, for proxies without an auth-signin hook (Caddy, Traefik, Envoy)
 * @param allow identity rules (tenants, groups, users); {@link AllowRules#ANYONE} when none are configured
 * @param rbac an AKS RBAC check made after the identity rules pass
 */
public record Profile(String name, List<String> scopes, boolean accessTokenHeader, boolean browserRedirect, AllowRules allow,
                      Optional<RbacRequirement> rbac) {
    public Profile {
        scopes = List.copyOf(scopes);
    }

    public Profile(String name, List<String> scopes, boolean accessTokenHeader) {
        this(name, scopes, accessTokenHeader, false, AllowRules.ANYONE, Optional.empty());
    }

    /** True when anyone with a session may use the profile, with no check at all. */
    public boolean open() {
        return allow.isEmpty() && rbac.isEmpty();
    }
}
