package io.github.aksauthproxy.config;

import java.util.List;

/**
 * What a non-browser client's own bearer token must carry to pass {@code /oauth2/auth}.
 *
 * @param audiences accepted {@code aud} values
 * @param issuers accepted {@code iss} values; empty means derived from the tenant's discovery document (the v2
 *     issuer) plus the tenant's v1 issuer
 */
public record BearerPolicy(List<String> audiences, List<String> issuers) {
    public BearerPolicy {
        audiences = List.copyOf(audiences);
        issuers = List.copyOf(issuers);
    }
}
