package io.github.aksauthproxy.config;

import java.util.List;

/**
 * A named set of scopes a request may ask a token for ({@code /oauth2/auth?profile=name}).
 *
 * @param accessTokenHeader also send the token as {@code X-Auth-Request-Access-Token}
 * @param browserRedirect answer an unauthenticated browser on {@code /oauth2/auth} with a 302 to sign-in instead of
 *     401, for proxies without an auth-signin hook (Caddy, Traefik, Envoy)
 */
public record Profile(String name, List<String> scopes, boolean accessTokenHeader, boolean browserRedirect) {
    public Profile {
        scopes = List.copyOf(scopes);
    }

    public Profile(String name, List<String> scopes, boolean accessTokenHeader) {
        this(name, scopes, accessTokenHeader, false);
    }
}
