package io.github.aksauthproxy.oidc;

import java.net.URI;
import java.util.Optional;

/** The parts of the tenant's OpenID Connect discovery document the service uses. */
public record ProviderMetadata(String issuer, URI jwksUri, Optional<URI> endSessionEndpoint) {
}
