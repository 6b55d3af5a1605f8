package io.github.aksauthproxy.config;

import java.util.List;

/**
 * A named set of scopes a request may ask a token for ({@code /oauth2/auth?profile=name}).
 *
 * @param accessTokenHeader also send the token as {@code X-Auth-Request-Access-Token}
 */
public record Profile(String name, List<String> scopes, boolean accessTokenHeader) {
    public Profile {
        scopes = List.copyOf(scopes);
    }
}
