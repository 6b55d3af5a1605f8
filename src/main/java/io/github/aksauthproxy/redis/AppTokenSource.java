package io.github.aksauthproxy.redis;

import io.github.aksauthproxy.entra.AccessToken;
import java.util.concurrent.CompletionStage;

/**
 * App-only tokens of the service's own identity for one scope, always freshly asked for. The service's
 * {@code EntraAppTokens::acquire} (MSAL4J client credentials with the workload identity, cache skipped) is one.
 */
@FunctionalInterface
public interface AppTokenSource {
    CompletionStage<AccessToken> acquire(String scope);
}
